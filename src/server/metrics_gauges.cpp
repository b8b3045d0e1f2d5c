#include "server/metrics_gauges.h"

#include <cstdio>

#include "server/forecast_totals.h"
#include "server/handlers.h"

namespace corrente::server {

std::string ServerGauges(const GaugeSources& s) {
  std::string out;
  auto gauge = [&](const char* name, const char* type, const char* help, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
             name + " " + buf + "\n";
  };
  gauge("db_pool_connections_open", "gauge", "Open pooled database connections.",
        static_cast<double>(s.pool.Open()));
  gauge("db_pool_connections_idle", "gauge", "Idle pooled database connections.",
        static_cast<double>(s.pool.Idle()));
  gauge("db_pool_connections_max", "gauge", "Pool size limit.", static_cast<double>(s.pool_max));
  gauge("cache_entries", "gauge", "Responses in the cache.",
        static_cast<double>(s.cache.Entries()));
  gauge("cache_bytes", "gauge", "Bytes held by the response cache.",
        static_cast<double>(s.cache.Bytes()));
  gauge("cache_hits_total", "counter", "Response cache hits.", static_cast<double>(s.cache.Hits()));
  gauge("cache_misses_total", "counter", "Response cache misses.",
        static_cast<double>(s.cache.Misses()));
  gauge("cache_invalidations_total", "counter", "Response cache invalidations.",
        static_cast<double>(s.cache.Invalidations()));
  gauge("cache_not_admitted_total", "counter",
        "Responses not stored because their key was not asked for before (first requests).",
        static_cast<double>(s.cache.NotAdmitted()));
  gauge("cache_over_share_total", "counter",
        "Responses past their account's share of the cache (an eighth): stored in the place "
        "of its own entries, or not stored when larger than the share.",
        static_cast<double>(s.cache.OverShare()));
  gauge("cache_coalesce_leads_total", "counter",
        "Cache misses that computed their response while later requests of the key waited.",
        static_cast<double>(s.flights.Led()));
  gauge("cache_coalesced_total", "counter",
        "Requests answered with the response a concurrent request of the same key computed.",
        static_cast<double>(s.flights.Coalesced()));
  gauge("cache_coalesce_fallbacks_total", "counter",
        "Requests that waited for a concurrent one but computed themselves (it had no response "
        "to share) or were answered 503 (it took over 30 s).",
        static_cast<double>(s.flights.FellBack()));
  const auto& conns = s.connections;
  gauge("http_connections_open", "gauge", "Open client connections.",
        static_cast<double>(conns.open));
  gauge("http_connections_idle", "gauge",
        "Client connections waiting on the client (a request or its body).",
        static_cast<double>(conns.idle));
  gauge("http_connections_max", "gauge", "The cap on open client connections.",
        static_cast<double>(conns.max_open));
  gauge("http_connections_evicted_total", "counter",
        "Idle connections closed to admit new ones at the cap.",
        static_cast<double>(conns.evicted));
  gauge("http_connections_refused_total", "counter",
        "Connections refused with 503 at the cap (none idle).",
        static_cast<double>(conns.refused));
  gauge("http_held_answers", "gauge",
        "Refused logins whose answer is waiting out its delay (the tarpit).",
        static_cast<double>(conns.held));
  gauge("http_held_total", "counter", "Refused logins answered after their delay.",
        static_cast<double>(conns.held_total));
  gauge("http_held_overflow_total", "counter",
        "Refused logins answered at once (and closed) because the tarpit was full.",
        static_cast<double>(conns.hold_overflowed));
  gauge("sse_streams_open", "gauge", "Open /api/v1/events streams.",
        static_cast<double>(s.events.Streams()));
  gauge("sse_streams_max", "gauge", "The cap on open event streams.",
        static_cast<double>(s.max_event_streams));
  gauge("sse_events_total", "counter", "Events published to the streams.",
        static_cast<double>(s.events.Published()));
  gauge("api_forecast_pages_served_total", "counter",
        "GET /forecasts answers read from the run's published page of the series.",
        static_cast<double>(ForecastPagesServed()));
  gauge("api_forecast_totals_published_total", "counter",
        "GET /forecasts/total answers summed from the run's published totals.",
        static_cast<double>(ForecastTotalsPublished()));
  gauge("api_item_pages_rendered_total", "counter",
        "GET /items JSON pages written from the items' rows as PostgreSQL keeps them rendered.",
        static_cast<double>(ItemPagesRendered()));
  gauge("api_item_counts_reused_total", "counter",
        "GET /items pages whose total was the filter's count kept from another page.",
        static_cast<double>(ItemCountsReused()));
  gauge("api_kpi_pages_rendered_total", "counter",
        "GET /analytics/kpis JSON pages written from the days' rows as the view renders them.",
        static_cast<double>(KpiPagesRendered()));
  gauge("api_kpi_windows_served_total", "counter",
        "GET /analytics/kpis default pages read whole from the view's latest window.",
        static_cast<double>(KpiWindowsServed()));
  gauge("auth_revoked_tokens", "gauge", "Revoked, unexpired tokens known to this server.",
        static_cast<double>(s.revoked.Size()));
  gauge("auth_password_checks_total", "counter", "Passwords verified with argon2id.",
        static_cast<double>(s.hashing.Checks()));
  gauge("auth_password_hashes_total", "counter", "Passwords hashed with argon2id.",
        static_cast<double>(s.hashing.Hashes()));
  gauge("auth_hashing_refused_total", "counter",
        "Password checks refused with 503 (the hashing pool was full or too slow).",
        static_cast<double>(s.hashing.Refused()));
  gauge("auth_login_rate_address_refused_total", "counter",
        "Logins refused with 429 because their client address was past its login rate.",
        static_cast<double>(s.address_rate.Refused()));
  gauge("auth_login_rate_account_refused_total", "counter",
        "Logins refused with 429 because their account was past its login rate.",
        static_cast<double>(s.account_rate.Refused()));
  gauge("http_in_flight_refused_total", "counter",
        "Requests refused with 429 because their account or address had its most in flight.",
        static_cast<double>(s.in_flight.Refused()));
  gauge("http_in_flight_per_client_max", "gauge",
        "The cap on one account's (or address's) requests in flight.",
        static_cast<double>(s.in_flight.PerClient()));
  gauge("auth_hashing_queue", "gauge", "Password checks waiting for a hashing thread.",
        static_cast<double>(s.hashing.Queued()));
  gauge("auth_hashing_threads", "gauge", "Threads of the hashing pool.",
        static_cast<double>(s.hashing.Config().threads));
  gauge("auth_hashing_duty_percent", "gauge", "The share of a core each hashing thread may use.",
        100 * s.hashing.Config().duty);
  return out;
}

}  // namespace corrente::server
