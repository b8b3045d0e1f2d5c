#pragma once
// Request coalescing (single flight) on response-cache misses: the first request of a key
// computes its response (the lead); requests for the same key that arrive while it does (the
// followers) wait for that response instead of computing it again, and get the same bytes
// (bodies are shared). The key is the cache key (route, query, role, format) with the cache's
// generation, so a request that arrives after an invalidation never gets a response begun before
// it. No I/O here: the server waits for a flight on its I/O strand (FollowerWait).
// Thread-safe: one mutex over the keys being computed, taken on misses only; one per flight.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/router.h"

namespace corrente::server {

class SingleFlight;

// One key's computation, shared by its lead and followers.
class Flight {
 public:
  // Runs `done` once the flight has ended: at once (on this thread) when it already has, else on
  // the thread that ends it. `done` must not block.
  void OnDone(std::function<void()> done);
  bool Ended() const;
  // The lead's response once ended; nullopt before, or when the lead had none to share (it
  // failed, or streamed its body).
  std::optional<Response> Result() const;

 private:
  friend class SingleFlight;
  friend class FlightLead;
  Flight(SingleFlight* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
  void End(std::optional<Response> result);

  SingleFlight* owner_;
  const std::string key_;
  mutable std::mutex mu_;
  bool ended_ = false;
  std::optional<Response> result_;
  std::vector<std::function<void()>> waiting_;
};

// The lead's hold on its flight. Finish() hands a response to the followers; dropped without
// it (the lead threw), the flight ends with none and the followers compute themselves.
class FlightLead {
 public:
  explicit FlightLead(std::shared_ptr<Flight> f) : flight_(std::move(f)) {}
  ~FlightLead();
  FlightLead(const FlightLead&) = delete;
  FlightLead& operator=(const FlightLead&) = delete;
  // Ends the flight with `res` when it can be shared (not streamed, not live, not held, not
  // about the lead's caller: 401, 403, 429), else with none. The first call (of either) counts.
  void Finish(const Response& res);
  void Fail();  // ends it with none

 private:
  std::shared_ptr<Flight> flight_;
};

class SingleFlight {
 public:
  struct Joined {
    std::shared_ptr<FlightLead> lead;  // set: compute, then lead->Finish(response)
    std::shared_ptr<Flight> follow;    // set: wait for this flight instead
  };
  // Leads a new flight of `key`, or follows the one computing it.
  Joined Join(const std::string& key);
  size_t Flying() const;  // keys being computed now
  uint64_t Led() const { return led_.load(); }
  // Followers answered with their lead's response; followers that were not (their lead had no
  // response to share, or took longer than their wait).
  uint64_t Coalesced() const { return coalesced_.load(); }
  uint64_t FellBack() const { return fell_back_.load(); }
  void Count(bool coalesced) { (coalesced ? coalesced_ : fell_back_)++; }

 private:
  friend class Flight;
  void Forget(const std::string& key, const Flight* f);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  std::atomic<uint64_t> led_{0}, coalesced_{0}, fell_back_{0};
};

// A follower's wait, as the server awaits it (PendingResponse, router.h): the lead's response
// when it has one within `timeout`, unless `refuse(req)` (the follower's own token checked again
// at the end of its wait) answers instead; otherwise `fallback(req)` (e.g. take a slot of
// requests in flight: nullopt sends the request to a worker to compute itself) when the lead
// had none, or `timed_out` when the lead is still computing.
class FollowerWait : public PendingResponse {
 public:
  using Step = std::function<std::optional<Response>(Request&)>;
  FollowerWait(SingleFlight& flights, std::shared_ptr<Flight> flight, Step fallback,
               Response timed_out, std::chrono::milliseconds timeout, Step refuse = {})
      : flights_(flights),
        flight_(std::move(flight)),
        fallback_(std::move(fallback)),
        refuse_(std::move(refuse)),
        timed_out_(std::move(timed_out)),
        timeout_(timeout) {}
  void OnReady(std::function<void()> wake) override { flight_->OnDone(std::move(wake)); }
  std::optional<Response> Take(Request& req) override;
  std::chrono::milliseconds Timeout() const override { return timeout_; }

 private:
  SingleFlight& flights_;
  std::shared_ptr<Flight> flight_;
  Step fallback_, refuse_;
  Response timed_out_;
  std::chrono::milliseconds timeout_;
};

}  // namespace corrente::server
