#include "server/read_replica.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace corrente::server {

uint64_t ParseLsn(const std::string& lsn) {
  unsigned hi = 0, lo = 0;
  if (std::sscanf(lsn.c_str(), "%X/%X", &hi, &lo) != 2) return 0;
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

ReadReplica::ReadReplica(std::string primary_dsn, std::string read_dsn, size_t pool_size,
                         double max_lag_seconds)
    : primary_dsn_(std::move(primary_dsn)),
      read_dsn_(std::move(read_dsn)),
      pool_(read_dsn_, pool_size,
            [](pg::Connection& c) {
              c.ExecScript("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET statement_timeout = '30s'; "
                           "SET application_name = 'corrente-serve-read'");
            }),
      max_lag_(max_lag_seconds),
      monitor_([this](std::stop_token st) { Monitor(st); }) {}

ReadReplica::~ReadReplica() {
  monitor_.request_stop();
  if (monitor_.joinable()) monitor_.join();
}

std::optional<double> ReadReplica::LagSeconds() const {
  std::lock_guard l(mu_);
  if (!replayed_at_ || samples_.empty()) return std::nullopt;
  // Everything up to the newest sample replayed: no lag to speak of.
  if (*replayed_at_ == samples_.back().first) return 0.0;
  return std::chrono::duration<double>(Clock::now() - *replayed_at_).count();
}

bool ReadReplica::Usable(int64_t user_id, Clock::time_point since) const {
  if (!up_.load()) return false;
  auto lag = LagSeconds();
  if (!lag || *lag > max_lag_) return false;
  std::lock_guard l(mu_);
  if (!replayed_at_ || *replayed_at_ <= since) return false;
  if (user_id == 0) return true;
  auto w = writes_.find(user_id);
  return w == writes_.end() || (replayed_at_ && *replayed_at_ > w->second);
}

void ReadReplica::NoteWrite(int64_t user_id) {
  if (user_id != 0) {
    std::lock_guard l(mu_);
    writes_[user_id] = Clock::now();
  }
  Wake();
}

void ReadReplica::Wake() {
  {
    std::lock_guard l(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_one();
}

void ReadReplica::Monitor(std::stop_token st) {
  using std::chrono::milliseconds;
  constexpr milliseconds kRound{500}, kMinRound{10};
  std::optional<pg::Connection> primary, replica;
  bool warned = false;
  milliseconds behind_wait = kMinRound;  // the next wait while the replica is behind
  while (!st.stop_requested()) {
    milliseconds wait = kRound;
    try {
      if (!primary) primary.emplace(pg::Connection::Open(primary_dsn_));
      // Taken before the query: a write noted before this time is in the position it reads.
      auto now = Clock::now();
      auto p = primary->ExecScript("SELECT pg_current_wal_lsn()::text");
      uint64_t lsn = ParseLsn(p.GetString(0, 0));
      {
        std::lock_guard l(mu_);
        if (samples_.empty() || samples_.back().second != lsn) samples_.emplace_back(now, lsn);
        else samples_.back().first = now;  // nothing written since: the newest sample is now
      }
      if (!replica) replica.emplace(pg::Connection::Open(read_dsn_));
      auto r = replica->ExecScript("SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '0/0')");
      uint64_t replayed = ParseLsn(r.GetString(0, 1));
      {
        std::lock_guard l(mu_);
        std::optional<Clock::time_point> at;
        for (const auto& [t, l] : samples_)
          if (l <= replayed || !r.GetBool(0, 0)) at = t;  // a promoted replica has all it will get
        if (at) replayed_at_ = at;
        // Behind the newest sample: look again soon, so reads come back to the replica soon.
        if (!replayed_at_ || *replayed_at_ != samples_.back().first) {
          wait = behind_wait;
          behind_wait = std::min(behind_wait * 2, kRound);
        } else {
          behind_wait = kMinRound;
        }
        // Older samples than the one replayed say nothing more.
        while (samples_.size() > 1 && samples_.front().first < replayed_at_.value_or(now)) samples_.pop_front();
        for (auto it = writes_.begin(); it != writes_.end();)
          it = replayed_at_ && *replayed_at_ > it->second ? writes_.erase(it) : std::next(it);
      }
      if (!up_.exchange(true)) spdlog::info("read replica up: {}", pg::DescribeDsn(read_dsn_));
      warned = false;
    } catch (const std::exception& e) {
      if (!warned) spdlog::warn("read replica unusable, reads go to the primary: {}", e.what());
      warned = true;
      up_ = false;
      if (primary && !primary->IsOk()) primary.reset();
      if (replica && !replica->IsOk()) replica.reset();
      if (!replica) {
        std::lock_guard l(mu_);
        replayed_at_.reset();
      }
    }
    // Every round at least kMinRound apart: a stream of writes costs at most 100 a second.
    std::this_thread::sleep_for(kMinRound);
    std::unique_lock l(wake_mu_);
    wake_cv_.wait_for(l, st, wait - kMinRound, [this] { return woken_; });
    woken_ = false;
  }
}

}  // namespace corrente::server
