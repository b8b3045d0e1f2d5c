// GET /api/v1/events: live events as Server-Sent Events (see events.h). The token travels in
// the Authorization header like everywhere else: the dashboard reads the stream with fetch(),
// not EventSource (which cannot send headers), so tokens never appear in URLs or logs.
#include <chrono>

#include "server/events.h"
#include "server/handlers.h"

namespace corrente::server {
namespace {

Response Events(Ctx& ctx, Services& s) {
  // A resuming client names the last event it saw (EventSource sends the header itself).
  std::optional<std::string> last;
  if (const std::string* h = ctx.req.Header("last-event-id")) last = *h;
  Principal who = *ctx.user;
  // The stream lives past this request: it ends when the token expires or is revoked, or the
  // account is disabled, checked before each write.
  auto valid = [&s, who] {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return who.expires_at > now && !s.revoked.Contains(who.jti) && !s.users.Refuse(who);
  };
  auto body = s.events->Open(last, valid, who.user_id);
  if (!body) {
    ApiError busy(503, "too_many_streams",
                  "too many event streams are open (on this server or for this account); retry "
                  "shortly");
    busy.headers.emplace_back("Retry-After", "5");
    throw busy;
  }
  Response res{200, "text/event-stream; charset=utf-8", "", {{"X-Accel-Buffering", "no"}}};
  res.live = std::move(body);
  return res;
}

}  // namespace

void AddEventRoutes(std::vector<ApiRoute>& routes, Services& s) {
  routes.push_back(
      {"GET", "/api/v1/events", Role::kViewer, false, false, "events",
       "Live events (text/event-stream): run_published {run_id, new_critical} after a pipeline "
       "run, alerts_changed {action, ids, count, new_critical} after an alert changes, "
       "recommendations_changed (the same) after a recommendation does, reset "
       "(refetch everything) when the Last-Event-ID header names an event no longer held, "
       "ready {} with the current id once the stream is open; a ': heartbeat' comment every "
       "15 s. 503 past the cap on open streams",
       {{"Last-Event-ID", "header", "string", {}, "resume after this event id"}},
       "",
       [&s](Ctx& c) { return Events(c, s); },
       "text/event-stream"});
}

}  // namespace corrente::server
