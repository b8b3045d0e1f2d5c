#include "server/single_flight.h"

namespace corrente::server {

void Flight::OnDone(std::function<void()> done) {
  {
    std::lock_guard l(mu_);
    if (!ended_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  done();
}

bool Flight::Ended() const {
  std::lock_guard l(mu_);
  return ended_;
}

std::optional<Response> Flight::Result() const {
  std::lock_guard l(mu_);
  return result_;
}

void Flight::End(std::optional<Response> result) {
  // Out of the table first: a request arriving from now on leads a new flight (or, with the
  // response stored, hits the cache) instead of following one that is over.
  owner_->Forget(key_, this);
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard l(mu_);
    if (ended_) return;
    ended_ = true;
    result_ = std::move(result);
    waiting.swap(waiting_);
  }
  for (auto& w : waiting) w();
}

FlightLead::~FlightLead() {
  if (flight_) flight_->End(std::nullopt);
}

void FlightLead::Finish(const Response& res) {
  if (!flight_) return;
  // A 401 (the lead's token ended while it waited for a worker), 403 or 429 is about the lead's
  // caller, not the URL: followers of other accounts compute themselves.
  bool about_caller = res.status == 401 || res.status == 403 || res.status == 429;
  bool shareable = !res.stream && !res.live && res.hold.count() == 0 && !about_caller;
  flight_->End(shareable ? std::optional<Response>(res) : std::nullopt);
  flight_.reset();
}

void FlightLead::Fail() {
  if (flight_) flight_->End(std::nullopt);
  flight_.reset();
}

SingleFlight::Joined SingleFlight::Join(const std::string& key) {
  std::lock_guard l(mu_);
  auto [it, fresh] = flights_.try_emplace(key);
  if (!fresh) return {nullptr, it->second};
  it->second.reset(new Flight(this, key));
  led_++;
  return {std::make_shared<FlightLead>(it->second), nullptr};
}

void SingleFlight::Forget(const std::string& key, const Flight* f) {
  std::shared_ptr<Flight> gone;  // released after the lock
  std::lock_guard l(mu_);
  auto it = flights_.find(key);
  if (it != flights_.end() && it->second.get() == f) {
    gone = std::move(it->second);
    flights_.erase(it);
  }
}

size_t SingleFlight::Flying() const {
  std::lock_guard l(mu_);
  return flights_.size();
}

std::optional<Response> FollowerWait::Take(Request& req) {
  if (!flight_->Ended()) {
    flights_.Count(false);
    return timed_out_;
  }
  if (auto res = flight_->Result()) {
    if (refuse_)
      if (auto no = refuse_(req)) {
        flights_.Count(false);
        return no;
      }
    flights_.Count(true);
    return res;
  }
  flights_.Count(false);
  return fallback_(req);
}

}  // namespace corrente::server
