#include "server/app.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <shared_mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "common/cron.h"
#include "pg/pool.h"
#include "server/encoding.h"
#include "server/events.h"
#include "server/handlers.h"
#include "server/health.h"
#include "server/in_flight.h"
#include "server/metrics_gate.h"
#include "server/metrics_gauges.h"
#include "server/metrics_ops.h"
#include "server/read_replica.h"
#include "server/scheduler.h"
#include "server/schemas.h"
#include "server/security_headers.h"
#include "server/simulation_jobs.h"
#include "server/single_flight.h"
#include "server/static_files.h"
#include "server/token_check.h"

namespace corrente::server {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void AddHeaders(Response& res, const std::vector<std::pair<std::string, std::string>>& h) {
  for (const auto& kv : h) res.headers.push_back(kv);
}

Response FromApiError(const ApiError& e) {
  Response res = ErrorResponse(e.Status(), e.Code(), e.what());
  AddHeaders(res, e.headers);
  if (e.Status() == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

// "METHOD path?k=v&..." (the query sorted), for the debug lines that say where a request waits.
std::string Described(const Request& req) {
  std::string s = req.method + " " + req.path;
  char sep = '?';
  for (const auto& [k, v] : req.query) {
    s += sep;
    s += k + "=" + v;
    sep = '&';
  }
  return s;
}

// Wraps the route table with authentication, RBAC, the response cache, request coalescing,
// CSV negotiation, error mapping and the database circuit breaker. Thread-safe after
// construction.
class Api {
 public:
  Api(Services& s, std::vector<ApiRoute> routes, std::vector<std::string> cors_origins,
      ReadReplica* replica = nullptr)
      : s_(s),
        routes_(std::move(routes)),
        cors_(std::move(cors_origins)),
        replica_(replica),
        tokens_(s.jwt, s.revoked, s.users) {}

  const std::vector<ApiRoute>& Routes() const { return routes_; }
  const SingleFlight& Flights() const { return flights_; }

  // True when the request carries a valid, unrevoked token of any role.
  bool Authenticated(const Request& req) const { return tokens_.Check(req).principal.has_value(); }

  void Register(Router& router) {
    for (size_t i = 0; i < routes_.size(); ++i) {
      if (routes_[i].method == "GET") gets_[routes_[i].pattern] = i;
      router.Add(routes_[i].method, routes_[i].pattern, [this, i](const Request& req) {
        try {
          Response res = HeldIfRefusedLogin(req, Handle(routes_[i], req));
          if (req.lead) req.lead->Finish(res);  // to the requests waiting for this one
          return res;
        } catch (...) {
          if (req.lead) req.lead->Fail();
          throw;
        }
      });
    }
    router_ = &router;
  }

  // I/O thread: CORS preflight, cache hits and requests that wait for the same request's
  // response (coalesced), with no database and no blocking; a request that goes on to a worker
  // takes its client's slot of requests in flight, or is refused.
  std::optional<Response> Fast(Request& req) {
    if (auto res = Answer(req)) return res;
    auto refused = HoldSlot(req);
    if (refused) req.lead.reset();  // its followers compute themselves
    // Where a request waits, at debug level (tests wait on it).
    if (!refused && spdlog::should_log(spdlog::level::debug))
      spdlog::debug("{}: queued for a worker", Described(req));
    return refused;
  }

  // A slot of the caller's requests in flight (in_flight.h): per account with a valid token,
  // per client address otherwise. Past the cap: 429, without a worker.
  std::optional<Response> HoldSlot(Request& req) {
    // Logins have their own bounds (the login rates, the hashing pool's queue: a few workers at
    // most in all), and an office behind one NAT address logs in 20 at once (docs/security.md).
    if (!s_.in_flight || (req.method == "POST" && req.path == kLoginPath)) return std::nullopt;
    std::string key;
    if (req.Header("authorization"))
      if (const auto& p = tokens_.Carried(req).principal)
        key = "account " + std::to_string(p->user_id);
    if (key.empty()) key = "address " + ClientKey(req.remote_address);
    req.in_flight = s_.in_flight->TryEnter(key);
    if (req.in_flight) return std::nullopt;
    if (req.route.empty()) router_->Find(req);  // for the metrics
    ApiError e(429, "too_many_requests",
               "too many requests of this client in progress (at most " +
                   std::to_string(s_.in_flight->PerClient()) + "); retry shortly");
    e.headers.emplace_back("Retry-After", "1");
    return FromApiError(e);
  }

 private:
  std::optional<Response> Answer(Request& req) {
    if (req.method == "OPTIONS") return Preflight(req);
    // A login from an address past its login rate, or while the hashing pool is full: refused
    // here, without a worker or the database.
    if (req.method == "POST" && req.path == kLoginPath) {
      if (int64_t wait = s_.address_rate.Wait(ClientKey(req.remote_address)); wait > 0) {
        s_.address_rate.CountRefused();
        req.route = kLoginPath;
        return HeldIfRefusedLogin(req, FromApiError(LoginRateLimited(wait)));
      }
      if (s_.hashing.Refuses()) {
        req.route = kLoginPath;
        return HeldIfRefusedLogin(
            req, FromApiError(HashingBusy("too many password checks in progress")));
      }
    }
    if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
    const Router::Route* rr = router_->Find(req);
    if (!rr) return std::nullopt;
    if (rr->method != "GET") return std::nullopt;
    auto it = gets_.find(rr->pattern);
    if (it == gets_.end()) return std::nullopt;
    const ApiRoute& r = routes_[it->second];
    if (!r.cacheable || !r.min_role) return std::nullopt;
    Principal p;
    try {
      tokens_.Carried(req);  // the one check of the token, carried to the worker
      p = tokens_.Require(req, *r.min_role);
    } catch (const ApiError& e) {
      return FromApiError(e);
    }
    if (auto f = req.Query("format"); f && *f != "csv" && *f != "json") return std::nullopt;
    std::string key = ResponseCache::Key(req, RoleName(p.role), WantsCsv(req) && r.list);
    auto hit = s_.cache.Get(key);
    if (hit && WantsCompressing(req, *hit)) return std::nullopt;  // the worker compresses it
    req.cache_checked = true;
    if (hit) return hit;
    return Coalesce(req, key, *r.min_role);
  }

  // A miss: the first request of the key (with the cache's generation, so none that arrives
  // after an invalidation follows a computation begun before it) goes on to compute it, and
  // those that arrive meanwhile wait for its response on the I/O thread, holding no worker and
  // no slot of requests in flight (single_flight.h). A lead with no response to share (it threw
  // or streamed) sends its followers to compute themselves; one still computing after 30 s (the
  // statement timeout) has them answered 503.
  std::optional<Response> Coalesce(Request& req, const std::string& key, Role min_role) {
    auto joined = flights_.Join(std::to_string(s_.cache.Generation()) + " " + key);
    if (joined.lead) {
      req.lead = std::move(joined.lead);
      return std::nullopt;
    }
    s_.cache.Admit(key);  // a second ask: the lead's response is stored
    if (spdlog::should_log(spdlog::level::debug))
      spdlog::debug("{}: follows the same request in flight", Described(req));
    ApiError busy(503, "service_unavailable",
                  "the same request is still being computed; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    Response res;
    res.pending = std::make_shared<FollowerWait>(
        flights_, std::move(joined.follow), [this](Request& q) { return HoldSlot(q); },
        FromApiError(busy), std::chrono::seconds(30),
        [this, min_role](Request& q) -> std::optional<Response> {
          try {  // the follower's token ended while it waited: refused as at a worker's start
            tokens_.Require(q, min_role);
            return std::nullopt;
          } catch (const ApiError& e) {
            return FromApiError(e);
          }
        });
    return res;
  }

 public:
  // I/O thread, every response: metrics, ETag/304, CORS and API cache headers.
  void Finish(const Request& req, Response& res, double seconds) {
    s_.metrics.Observe(req.route.empty() ? "unmatched" : req.route, req.method, res.status,
                       seconds);
    bool api = req.path.rfind("/api/", 0) == 0;
    if (api) {
      res.headers.emplace_back("Cache-Control", "private, no-cache");
      // One Vary: the API's, then what the response had (Accept-Encoding, from Negotiate()).
      std::string* vary = nullptr;
      bool merged = false;
      for (auto& [k, v] : res.headers) {
        if (k != "Vary") continue;
        if (!vary) {
          v.insert(0, "Authorization, Accept, Origin, ");
          vary = &v;
        } else {
          *vary += ", " + v;
          k.clear();
          merged = true;
        }
      }
      if (merged) std::erase_if(res.headers, [](const auto& kv) { return kv.first.empty(); });
      if (!vary) res.headers.emplace_back("Vary", "Authorization, Accept, Origin");
    }
    if (res.status == 200 && (req.method == "GET" || req.method == "HEAD")) {
      std::string etag;
      for (const auto& [k, v] : res.headers)
        if (k == "ETag") etag = v;
      if (etag.empty() && !res.stream && !res.live && req.path != "/metrics" && req.path != "/health") {
        etag = MakeEtag(res.Body());
        res.headers.emplace_back("ETag", etag);
      }
      auto inm = req.Header("if-none-match");
      if (!etag.empty() && inm && !res.live &&
          (*inm == etag || *inm == "*" || inm->find(etag) != std::string::npos)) {
        res = Response{304, "", "", std::move(res.headers)};
      }
    }
    if (auto origin = req.Header("origin"); origin && Allowed(*origin)) {
      res.headers.emplace_back("Access-Control-Allow-Origin", *origin);
      res.headers.emplace_back("Access-Control-Expose-Headers", "ETag, Retry-After, Content-Type");
    }
  }

 private:
  bool Allowed(const std::string& origin) const {
    for (const auto& o : cors_)
      if (o == origin) return true;
    return false;
  }

  std::optional<Response> Preflight(const Request& req) {
    auto origin = req.Header("origin");
    if (!origin || !Allowed(*origin)) return ErrorResponse(403, "forbidden", "origin not allowed");
    Response res{204, "", "", {}};
    res.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PATCH, OPTIONS");
    res.headers.emplace_back("Access-Control-Allow-Headers",
                             "Authorization, Content-Type, If-None-Match");
    res.headers.emplace_back("Access-Control-Max-Age", "600");
    return res;
  }

  Response Handle(const ApiRoute& r, const Request& req) {
    try {
      if (req.Query("format")) {
        // Reported as every other bad parameter: the value made valid UTF-8, NUL included.
        Params format(req);
        format.Enum("format", {"json", "csv"});
        format.Check();
      }
      bool csv = WantsCsv(req) && r.list;
      Principal p;
      if (r.min_role) p = tokens_.Require(req, *r.min_role);  // the fast path's check, when current
      std::string key;
      uint64_t generation = 0;
      if (r.cacheable) {
        key = ResponseCache::Key(req, RoleName(p.role), csv);
        generation = s_.cache.Generation();
        if (!req.cache_checked)
          if (auto hit = s_.cache.Get(key)) {
            if (WantsCompressing(req, *hit)) {
              Precompress(*hit);
              s_.cache.Put(key, *hit, generation, static_cast<uint64_t>(p.user_id));
            }
            return *hit;
          }
      }
      if (SteadyMs() < db_down_until_.load()) throw DbDown();
      // Reads go to the replica while it is fresh enough (read_replica.h); one that fails to
      // connect sends the request to the primary.
      bool read = replica_ && r.method == "GET" && r.tag != "auth";
      bool on_replica = read && replica_->Usable(p.user_id, s_.cache.InvalidatedAt());
      auto run = [&](pg::Pool& pool) {
        Db db(pool);
        Ctx ctx{req, r.min_role ? &p : nullptr, db, csv};
        return r.fn(ctx);
      };
      Response res;
      try {
        res = run(on_replica ? replica_->Pool() : s_.pool);
      } catch (const pg::Error& e) {
        if (!on_replica || e.Kind() != pg::ErrorKind::kConnection) throw;
        spdlog::warn("read replica failed on {} {}: {}; using the primary", req.method, req.route, e.what());
        on_replica = false;
        res = run(s_.pool);
      }
      if (read) replica_->CountRead(on_replica);
      if (r.cacheable && res.status == 200 && !res.stream) {
        res.headers.emplace_back("ETag", MakeEtag(res.body));
        // Compressed here, on a worker thread, once; hits then only pick a body.
        if (WantsCompressing(req, res))
          Precompress(res);
        else
          Share(res);
        // Stored from its second request on: a stream of one-off URLs costs no copies,
        // evictions or memory, and cannot push out the entries asked for again.
        // Charged to the account (cache.h): one client cannot churn the others' entries out.
        if (s_.cache.Admit(key))
          s_.cache.Put(key, res, generation, static_cast<uint64_t>(p.user_id));
      }
      if (r.method != "GET" && res.status < 300 && r.tag != "auth") {
        s_.cache.Invalidate();
        if (replica_) replica_->NoteWrite(p.user_id);
      }
      return res;
    } catch (const ApiError& e) {
      return FromApiError(e);
    } catch (const HashingPool::Busy& e) {
      return FromApiError(HashingBusy(e.what()));
    } catch (const pg::Error& e) {
      if (e.Kind() == pg::ErrorKind::kConnection) {
        db_down_until_ = SteadyMs() + 1000;
        spdlog::warn("database unavailable on {} {}: {}", req.method, req.route, e.what());
        return FromApiError(DbDown());
      }
      if (e.Kind() == pg::ErrorKind::kTransient) {
        ApiError busy(503, "service_unavailable", "the database is busy; retry shortly");
        busy.headers.emplace_back("Retry-After", "1");
        return FromApiError(busy);
      }
      spdlog::error("database error on {} {}: {} ({})", req.method, req.route, e.what(),
                    e.SqlState());
      return ErrorResponse(500, "internal_error", "internal error");
    }
  }

  static ApiError HashingBusy(const std::string& why) {
    ApiError e(503, "service_unavailable", why + "; retry shortly");
    e.headers.emplace_back("Retry-After", "1");
    return e;
  }

  static constexpr const char* kLoginPath = "/api/v1/auth/login";

  // A login refused unchecked (the hashing pool full or the database down: 503; the
  // throttle: 429) is answered a second later, on a timer (tarpit.h): a closed-loop flood then
  // sends one request a second per connection instead of thousands. A login whose password
  // is checked is never held.
  static Response HeldIfRefusedLogin(const Request& req, Response res) {
    if ((res.status == 503 || res.status == 429) && req.method == "POST" && req.path == kLoginPath)
      res.hold = std::chrono::seconds(1);
    return res;
  }

  static ApiError DbDown() {
    ApiError e(503, "service_unavailable", "the database is unavailable; retry shortly");
    e.headers.emplace_back("Retry-After", "2");
    return e;
  }

  Services& s_;
  std::vector<ApiRoute> routes_;
  std::vector<std::string> cors_;
  ReadReplica* replica_;  // DATABASE_READ_URL, or null
  std::unordered_map<std::string, size_t> gets_;  // GET routes by pattern
  const Router* router_ = nullptr;
  std::atomic<int64_t> db_down_until_{0};
  TokenChecker tokens_;
  SingleFlight flights_;
};

// The run_published event: the run and how many unread, open CRITICAL alerts it raised.
std::string RunPublishedJson(pg::Connection& conn, const std::string& payload) {
  char* end = nullptr;
  long long run = std::strtoll(payload.c_str(), &end, 10);
  if (payload.empty() || *end != '\0' || run <= 0) return "{}";
  auto r = conn.Execute(
      "SELECT count(*) FROM analytics.alerts WHERE run_id = $1 AND level = 'CRITICAL'"
      " AND read_at IS NULL AND resolved_at IS NULL",
      static_cast<int64_t>(run));
  return "{\"run_id\":" + std::to_string(run) + ",\"new_critical\":" +
         std::to_string(r.GetInt(0, 0)) + "}";
}

// The alerts_changed and recommendations_changed events: the payload when it is a JSON object
// (the handlers send NotifyChanged()'s), else an empty object.
std::string ChangedJson(const std::string& payload) {
  boost::system::error_code ec;
  auto v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) return "{}";
  return boost::json::serialize(v);
}

// Keeps one connection LISTENing on corrente_data (drop the cache, run_published),
// corrente_alerts and corrente_recommendations (drop the cache, alerts_changed or
// recommendations_changed) and corrente_revoked (logouts and account
// changes on any server). Reconnects forever; after each (re)connect it reloads the revoked
// tokens and the accounts' states, drops the cache and tells the event streams to refetch
// (a reset), since notifications may have been missed meanwhile.
void ListenLoop(std::stop_token stop, const std::string& dsn, Services& s, ReadReplica* replica) {
  // A read replica must replay past each drop before it answers again: wake its monitor.
  auto drop = [&] {
    s.cache.Invalidate();
    if (replica) replica->Wake();
  };
  bool warned = false;
  while (!stop.stop_requested()) {
    try {
      auto conn = pg::Connection::Open(dsn);
      conn.Listen("corrente_data");
      conn.Listen("corrente_alerts");
      conn.Listen("corrente_recommendations");
      conn.Listen("corrente_revoked");
      auto r = conn.ExecScript(
          "SELECT jti, extract(epoch FROM expires_at)::bigint FROM support.revoked_tokens WHERE "
          "expires_at > now()");
      std::unordered_map<std::string, int64_t> all;
      for (int i = 0; i < r.Rows(); ++i) all[r.GetString(i, 0)] = r.GetInt(i, 1);
      s.revoked.Reset(std::move(all));
      auto u = conn.ExecScript("SELECT user_id, active, token_version FROM support.users");
      std::unordered_map<int64_t, UserStates::State> users;
      for (int i = 0; i < u.Rows(); ++i) users[u.GetInt(i, 0)] = {u.GetBool(i, 1), u.GetInt(i, 2)};
      s.users.Reset(users);
      drop();
      if (warned) {
        spdlog::info("notification listener reconnected");
        s.events->Publish("reset", R"({"reason":"listener_reconnected"})");
      }
      warned = false;
      while (!stop.stop_requested()) {
        auto n = conn.WaitNotification(std::chrono::milliseconds(500));
        if (!n) continue;
        if (n->channel == "corrente_data") {
          spdlog::info("data published (run {}); dropping the response cache", n->payload);
          drop();
          s.events->Publish("run_published", RunPublishedJson(conn, n->payload));
        } else if (n->channel == "corrente_alerts") {
          drop();
          s.events->Publish("alerts_changed", ChangedJson(n->payload));
        } else if (n->channel == "corrente_recommendations") {
          drop();
          s.events->Publish("recommendations_changed", ChangedJson(n->payload));
        } else if (n->channel == "corrente_revoked") {
          // "<jti> <exp>" for one token, AccountNotice() for an account's state.
          if (auto account = ParseAccountNotice(n->payload)) {
            s.users.Set(account->first, account->second);
          } else if (auto sp = n->payload.find(' '); sp != std::string::npos) {
            s.revoked.Add(n->payload.substr(0, sp), std::atoll(n->payload.c_str() + sp + 1));
          }
        }
      }
    } catch (const std::exception& e) {
      if (!warned) spdlog::warn("notification listener: {}; retrying", e.what());
      warned = true;
      drop();
    }
    for (int i = 0; i < 10 && !stop.stop_requested(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void Serve(const Config& config, const std::string& dsn, const ServerOptions& options_in,
           const std::function<void(int port)>& on_listening) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  ServerOptions options = options_in;
  std::string secret = LoadJwtSecret(config);

  size_t pool_size = static_cast<size_t>(std::max(4, options.workers));
  pg::Pool pool(dsn, pool_size, [](pg::Connection& c) {
    c.ExecScript(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET statement_timeout = '30s';"
        " SET application_name = 'corrente-serve'");
  });
  try {
    pool.Acquire();  // fail fast with a clear message when the database is unreachable
  } catch (const pg::Error& e) {
    spdlog::warn("database not reachable at start-up ({}); serving 503 until it is", e.what());
  }
  int ttl = 3600;
  if (auto t = GetEnvInteger("CORRENTE_JWT_TTL_SECONDS", 10, 31 * 86400))
    ttl = static_cast<int>(*t);
  Jwt jwt(secret, std::chrono::seconds(ttl));
  RevokedTokens revoked;
  UserStates users;
  LoginThrottle account_throttle(5, std::chrono::seconds(300));
  LoginThrottle address_throttle(20, std::chrono::seconds(300));
  // A rate on every login attempt (login_rate.h), so a flood of valid logins cannot keep
  // argon2id busy: per address, 20 at once then 30 a minute (100 people behind one NAT address
  // pass within 3 minutes); per account, 10 then 6 a minute (docs/security.md).
  auto rate_option = [](const std::string& flag, const char* env, const char* fallback) {
    std::string text = !flag.empty() ? flag : GetEnv(env).value_or(fallback);
    auto r = ParseRateLimit(text);
    if (!r)
      throw std::runtime_error(std::string("bad login rate '") + text + "' (" + env +
                               "): give BURST/PER_MINUTE, e.g. 20/30, or off");
    return *r;
  };
  LoginRate address_rate(
      rate_option(options.login_rate_address, "CORRENTE_LOGIN_RATE_ADDRESS", "20/30"));
  LoginRate account_rate(
      rate_option(options.login_rate_account, "CORRENTE_LOGIN_RATE_ACCOUNT", "10/6"));
  spdlog::info("login rates (burst/per minute): per address {}, per account {}",
               FormatRateLimit(address_rate.Limit()), FormatRateLimit(account_rate.Limit()));
  // argon2id off the request workers: by default one thread per two cores (at most 4) and a
  // queue of 4 per thread, so most workers stay free for other requests during a login storm.
  HashingPool::Options hashing_options;
  hashing_options.threads =
      std::clamp(static_cast<int>(std::thread::hardware_concurrency()) / 2, 1, 4);
  if (auto t = GetEnvInteger("CORRENTE_HASH_THREADS", 1, 64))
    hashing_options.threads = static_cast<int>(*t);
  hashing_options.queue = static_cast<size_t>(4 * hashing_options.threads);
  if (auto q = GetEnvInteger("CORRENTE_HASH_QUEUE", 1, 10000))
    hashing_options.queue = static_cast<size_t>(*q);
  // And each thread on argon2id at most a quarter of the time: a login flood then takes
  // about a quarter of one core, however many logins it sends (docs/security.md).
  hashing_options.duty = 0.25;
  if (auto d = GetEnvNumber("CORRENTE_HASH_DUTY", 0.01, 1.0)) hashing_options.duty = *d;
  // CORRENTE_HASH_IDLE=1: the SCHED_IDLE class (Linux). Off by default: no gain measured in the
  // login flood, and honest logins took twice as long on a busy machine (docs/api-bench.md).
  hashing_options.idle_class = GetEnv("CORRENTE_HASH_IDLE").value_or("0") == "1";
  HashingPool hashing(hashing_options);
  ResponseCache cache;
  Metrics metrics;
  SimulationJobs simulations(dsn);
  ThrottledLogins throttled;
  Services services{pool,         jwt,          revoked, users,   account_throttle,
                    address_throttle, address_rate, account_rate, hashing, throttled, cache,
                    metrics,      simulations,  CORRENTE_VERSION};
  EventHub::Options event_options;
  event_options.max_streams = options.max_event_streams;
  event_options.heartbeat = options.event_heartbeat;
  EventHub events(event_options);
  services.events = &events;
  InFlightLimit in_flight(options.max_in_flight_per_client > 0
                              ? options.max_in_flight_per_client
                              : InFlightPerClient(options.workers));
  services.in_flight = &in_flight;
  spdlog::info("requests in flight per account or address: at most {}", in_flight.PerClient());

  std::vector<ApiRoute> routes;
  AddAuthRoutes(routes, services);
  AddItemRoutes(routes, services);
  AddProjectionRoutes(routes, services);
  AddLookupRoutes(routes, services);
  AddAnalyticsRoutes(routes, services);
  AddRecommendationRoutes(routes, services);
  AddAlertRoutes(routes, services);
  AddSimulationRoutes(routes, services);
  AddOverrideRoutes(routes, services);
  AddAdminRoutes(routes, services);
  AddEventRoutes(routes, services);
  AttachResponses(routes);

  std::vector<std::string> cors;
  if (auto c = GetEnv("CORRENTE_CORS_ORIGINS")) cors = SplitList(*c);
  // Read-only queries on a replica (DATABASE_READ_URL), the primary when it lags or is down.
  std::unique_ptr<ReadReplica> replica;
  if (auto read_url = GetEnv("DATABASE_READ_URL"); read_url && !read_url->empty()) {
    double max_lag = 5;
    if (auto l = GetEnvNumber("CORRENTE_READ_MAX_LAG_SECONDS", 0, 86400)) max_lag = *l;
    replica = std::make_unique<ReadReplica>(dsn, *read_url, pool_size, max_lag);
    spdlog::info("reads go to {} while it is at most {} s behind", pg::DescribeDsn(*read_url), max_lag);
  }
  Api api(services, std::move(routes), cors, replica.get());

  // Routes, in one readable table: the open ones here, the API ones from the handler files.
  Router router;
  // The nightly pipeline, when scheduled: a child process per run (scheduler.h).
  std::unique_ptr<PipelineScheduler> scheduler;
  if (config.pipeline_schedule) {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    scheduler = std::make_unique<PipelineScheduler>(Cron::Parse(*config.pipeline_schedule), pool,
                                                    ec ? std::string("corrente") : self.string());
  }
  std::function<std::string()> schedule_status;
  if (scheduler) schedule_status = [&scheduler] { return scheduler->StatusJson(); };
  router.Add("GET", "/health",
             MakeHealthHandler(pool, [&api](const Request& r) { return api.Authenticated(r); },
                               schedule_status));
  // Constant documents: compressed once here, copied (shared bodies) per request.
  // The API's own version (the /api/v1 contract), not the build's: versions stay behind a login.
  Response openapi{200, "application/json", OpenApiJson(api.Routes(), "1")};
  Precompress(openapi);
  router.Add("GET", "/api/v1/openapi.json", [openapi](const Request&) { return openapi; });
  // The API reference: Swagger UI from the web build (web/public/api-docs), or, when the
  // dashboard is not built, a plain list of the operations.
  const std::string web_root = WebRoot();
  std::error_code docs_ec;
  if (std::filesystem::is_regular_file(std::filesystem::path(web_root) / "api-docs" / "index.html",
                                       docs_ec)) {
    router.Add("GET", "/api/docs", [](const Request&) {
      return Response{302, "text/plain; charset=utf-8", "", {{"Location", "/api-docs/"}}};
    });
  } else {
    Response docs{200,
                  "text/html; charset=utf-8",
                  DocsHtml(),
                  {{"Content-Security-Policy", InlinePageCsp(DocsHtml())}}};
    Precompress(docs);
    router.Add("GET", "/api/docs", [docs](const Request&) { return docs; });
  }
  const HttpServer* http = nullptr;  // set before serving; the handler runs only then
  MetricsGate metrics_gate(config.metrics_token);
  if (metrics_gate.Open() && !IsLoopback(options.host))
    spdlog::warn(
        "/metrics is open to anyone who can reach {}: set CORRENTE_METRICS_TOKEN, or "
        "firewall the port",
        options.host);
  router.Add("GET", "/metrics", [&](const Request& req) {
    if (auto refused = metrics_gate.Refuse(req)) return *refused;
    std::string extra = ServerGauges({pool, pool_size, cache, api.Flights(), http->Connections(),
                                      events, options.max_event_streams, revoked, hashing,
                                      address_rate, account_rate, in_flight});
    extra += OpsMetrics({&pool, cache.Hits(), cache.Misses(), cache.InvalidatedAt(),
                         std::filesystem::absolute(config.home).lexically_normal().string(),
                         replica.get()});
    return Response{200,
                    "text/plain; version=0.0.4; charset=utf-8",
                    metrics.Render(extra),
                    {{"Cache-Control", "no-store"}}};
  });
  api.Register(router);
  router.SetFallback(MakeStaticHandler(web_root));

  std::jthread listener([&](std::stop_token st) { ListenLoop(st, dsn, services, replica.get()); });
  // Throttled logins' summaries, each second; what is left when the server stops, then.
  std::jthread throttled_audit([&](std::stop_token st) {
    auto flush = [&](bool all) {
      try {
        WriteThrottledSummaries(pool, throttled, all);
      } catch (const std::exception& e) {
        spdlog::warn("throttled logins' audit summary not written: {}", e.what());
      }
    };
    while (!st.stop_requested()) {
      for (int i = 0; i < 10 && !st.stop_requested(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      flush(false);
    }
    flush(true);
  });
  // Tokens are answered 503 until the listener's first load (above); it takes milliseconds
  // when the database is up, so wait for it (5 s at most) before listening.
  for (int i = 0; i < 200 && !(revoked.Loaded() && users.Loaded()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));

  ServerHooks hooks;
  hooks.fast = [&api](Request& req) { return api.Fast(req); };
  bool tls = !options.tls_cert.empty();
  hooks.finish = [&api, tls](const Request& req, Response& res, double secs) {
    api.Finish(req, res, secs);
    AddSecurityHeaders(res, tls);
  };
  HttpServer server(options, router, hooks);
  http = &server;
  if (scheduler) scheduler->Start();
  server.Run([&](int port) {
    spdlog::info("corrente {} listening on {}://{}:{} ({} mode, {} workers)", CORRENTE_VERSION,
                 tls ? "https" : "http", options.host, port, config.env, options.workers);
    if (on_listening) on_listening(port);
  });
  listener.request_stop();
  throttled_audit.request_stop();
  throttled_audit.join();
  if (scheduler) scheduler->Stop();
}

}  // namespace corrente::server
