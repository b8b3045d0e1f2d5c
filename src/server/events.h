#pragma once
// Live events for /api/v1/events (Server-Sent Events): a hub that the NOTIFY listener
// publishes to, a bounded ring of recent events so a reconnecting client resumes from its
// Last-Event-ID, and one LiveBody per open stream. No Beast here: the transport writes the
// bodies (http_server.cpp). Thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "server/router.h"

namespace corrente::server {

struct Event {
  uint64_t seq = 0;
  std::string type;  // run_published, alerts_changed, reset, ready
  std::string data;  // JSON
};

// "id: <epoch>-<seq>\nevent: <type>\ndata: <data>\n\n"; each line of a multi-line data gets
// its own data: field, as the SSE format requires.
std::string FormatEvent(const std::string& epoch, const Event& e);
// The sequence number in an id this hub gave ("<epoch>-<seq>"), or nullopt for any other id
// (another server's, an earlier run's, garbage).
std::optional<uint64_t> ParseEventId(const std::string& epoch, const std::string& id);

class EventHub {
 public:
  struct Options {
    size_t ring = 1024;        // recent events kept for resuming
    size_t max_streams = 256;  // open streams at most; Open() refuses past it
    // Open streams of one account at most (a browser tab holds one), so that one token cannot
    // take every stream and leave the other users without live events.
    size_t max_per_user = 16;
    std::chrono::milliseconds heartbeat{15000};
    std::string epoch;  // prefix of the ids; empty: taken from the clock, unique per process
  };
  explicit EventHub(Options options);
  ~EventHub();

  // Remembers the event in the ring and wakes every stream. Returns its sequence number.
  uint64_t Publish(const std::string& type, const std::string& data_json);

  // A stream for one client. It starts with the events after `last_event_id` when the ring
  // still holds all of them, else (an unknown or too old id) with a `reset` event telling the
  // client to refetch; then a `ready` event carrying the current id. `valid` is asked on every
  // Take() (token expiry, revocation): false ends the stream. Null when max_streams are open,
  // or max_per_user of account `user` (0: not counted per account).
  std::shared_ptr<LiveBody> Open(const std::optional<std::string>& last_event_id,
                                 std::function<bool()> valid, int64_t user = 0);

  size_t Streams() const;
  uint64_t Published() const;
  const std::string& Epoch() const { return epoch_; }

 private:
  class Stream;
  friend class Stream;
  // Under mu_: appends to `out` what follows `cursor` and moves it; a reset when the ring no
  // longer holds the event after it.
  void Collect(uint64_t& cursor, std::string& out) const;
  void Close(Stream* s);

  const Options options_;
  std::string epoch_;
  mutable std::mutex mu_;
  std::deque<Event> ring_;
  uint64_t last_seq_ = 0;
  std::set<Stream*> streams_;
  std::map<int64_t, size_t> per_user_;  // open streams of each account (user > 0)
};

}  // namespace corrente::server
