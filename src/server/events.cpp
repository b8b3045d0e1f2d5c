#include "server/events.h"

#include <charconv>
#include <vector>

namespace corrente::server {

std::string FormatEvent(const std::string& epoch, const Event& e) {
  std::string out = "id: " + epoch + "-" + std::to_string(e.seq) + "\nevent: " + e.type + "\n";
  size_t start = 0;
  for (;;) {
    size_t nl = e.data.find('\n', start);
    out += "data: ";
    out.append(e.data, start, nl == std::string::npos ? std::string::npos : nl - start);
    out += '\n';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

std::optional<uint64_t> ParseEventId(const std::string& epoch, const std::string& id) {
  if (id.size() <= epoch.size() + 1 || id.compare(0, epoch.size(), epoch) != 0 ||
      id[epoch.size()] != '-')
    return std::nullopt;
  uint64_t seq = 0;
  const char* first = id.data() + epoch.size() + 1;
  const char* last = id.data() + id.size();
  auto [p, ec] = std::from_chars(first, last, seq);
  if (ec != std::errc() || p != last) return std::nullopt;
  return seq;
}

class EventHub::Stream : public LiveBody {
 public:
  Stream(EventHub& hub, uint64_t cursor, bool reset, std::function<bool()> valid, int64_t user)
      : user_(user), hub_(hub), cursor_(cursor), reset_(reset), valid_(std::move(valid)) {}
  ~Stream() override { hub_.Close(this); }

  void OnReady(std::function<void()> wake) override {
    std::lock_guard l(hub_.mu_);
    wake_ = std::move(wake);
  }

  bool Take(std::string& out) override {
    if (valid_ && !valid_()) return false;
    std::lock_guard l(hub_.mu_);
    if (first_) {
      first_ = false;
      out += "retry: 3000\n\n";
      if (reset_) {
        out += FormatEvent(hub_.epoch_, {hub_.last_seq_, "reset", R"({"reason":"unknown_id"})"});
        cursor_ = hub_.last_seq_;
      }
      hub_.Collect(cursor_, out);
      out += FormatEvent(hub_.epoch_, {hub_.last_seq_, "ready", "{}"});
      return true;
    }
    hub_.Collect(cursor_, out);
    return true;
  }

  std::chrono::milliseconds HeartbeatInterval() const override { return hub_.options_.heartbeat; }
  std::string Heartbeat() const override { return ": heartbeat\n\n"; }

  std::function<void()> wake_;  // under hub_.mu_
  const int64_t user_;          // the account it counts for (0: none)

 private:
  EventHub& hub_;
  uint64_t cursor_;  // the last event sent
  bool reset_;
  bool first_ = true;
  std::function<bool()> valid_;
};

EventHub::EventHub(Options options) : options_(std::move(options)), epoch_(options_.epoch) {
  if (epoch_.empty())
    epoch_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
}

EventHub::~EventHub() = default;

uint64_t EventHub::Publish(const std::string& type, const std::string& data_json) {
  std::vector<std::function<void()>> wake;
  uint64_t seq;
  {
    std::lock_guard l(mu_);
    seq = ++last_seq_;
    ring_.push_back({seq, type, data_json});
    while (ring_.size() > std::max<size_t>(1, options_.ring)) ring_.pop_front();
    for (Stream* s : streams_)
      if (s->wake_) wake.push_back(s->wake_);
  }
  for (auto& w : wake) w();
  return seq;
}

std::shared_ptr<LiveBody> EventHub::Open(const std::optional<std::string>& last_event_id,
                                         std::function<bool()> valid, int64_t user) {
  std::lock_guard l(mu_);
  if (streams_.size() >= options_.max_streams) return nullptr;
  if (user > 0 && per_user_[user] >= options_.max_per_user) return nullptr;
  uint64_t cursor = last_seq_;
  bool reset = false;
  if (last_event_id) {
    auto seq = ParseEventId(epoch_, *last_event_id);
    // Resumable when nothing was missed, or when the ring still holds the event after it.
    bool held = seq && *seq <= last_seq_ &&
                (*seq == last_seq_ || (!ring_.empty() && *seq + 1 >= ring_.front().seq));
    if (held)
      cursor = *seq;
    else
      reset = true;
  }
  auto s = std::make_shared<Stream>(*this, cursor, reset, std::move(valid), user);
  streams_.insert(s.get());
  if (user > 0) ++per_user_[user];
  return s;
}

void EventHub::Collect(uint64_t& cursor, std::string& out) const {
  if (cursor >= last_seq_) return;
  if (ring_.empty() || cursor + 1 < ring_.front().seq) {
    // A client too slow for the ring: it missed events, so it refetches.
    out += FormatEvent(epoch_, {last_seq_, "reset", R"({"reason":"fell_behind"})"});
  } else {
    for (const Event& e : ring_)
      if (e.seq > cursor) out += FormatEvent(epoch_, e);
  }
  cursor = last_seq_;
}

void EventHub::Close(Stream* s) {
  std::lock_guard l(mu_);
  streams_.erase(s);
  if (s->user_ > 0)
    if (auto it = per_user_.find(s->user_); it != per_user_.end() && --it->second == 0)
      per_user_.erase(it);
}

size_t EventHub::Streams() const {
  std::lock_guard l(mu_);
  return streams_.size();
}

uint64_t EventHub::Published() const {
  std::lock_guard l(mu_);
  return last_seq_;
}

}  // namespace corrente::server
