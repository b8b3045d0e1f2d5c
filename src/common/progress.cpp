#include "common/progress.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "common/log.h"

namespace corrente {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      tty_(StderrIsTty()),
      start_(std::chrono::steady_clock::now()),
      last_render_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Advance(int64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_render_ < interval) return;
  last_render_ = now;
  Render(false);
}

void Progress::Finish() {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  Render(true);
}

void Progress::Render(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int64_t done = done_.load(std::memory_order_relaxed);
  double rate = secs > 0 ? done / secs : 0;
  double frac = total_ > 0 ? static_cast<double>(done) / total_ : 0;
  if (tty_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    double eta = rate > 0 && total_ > done ? (total_ - done) / rate : 0;
    std::fprintf(stderr, "\r%-24s [%s] %3.0f%% %lld/%lld  %.0f/s  ETA %.0fs%s", label_.c_str(),
                 bar.c_str(), frac * 100, static_cast<long long>(done),
                 static_cast<long long>(total_), rate, eta, final ? "\n" : "   ");
    std::fflush(stderr);
  } else {
    spdlog::info("progress stage={} done={} total={} rate={:.0f}/s elapsed={:.1f}s{}", label_,
                 done, total_, rate, secs, final ? " finished" : "");
  }
}

}  // namespace corrente
