// /api/v1/overrides: planners' overrides (Mirror + Delta, seed 004). The pipeline's output is
// the mirror and is never written here; an override is the delta beside it, with a lifecycle
// DRAFT -> SUBMITTED -> APPROVED | REJECTED (and EXPIRED once its period has passed), an
// author, a reason, and a version sent as the ETag: every write names the version it read in
// If-Match and gets 412 with the current one when someone changed it since.
//
// Who approves: ADMIN, or another ANALYST than the author when CORRENTE_OVERRIDE_APPROVERS is
// "peer" (the default); "admin" leaves approval to ADMIN alone.
#include <cstdlib>
#include <string_view>

#include "common/dates.h"
#include "server/effective_forecast.h"
#include "server/handlers.h"
#include "server/json_body.h"

namespace corrente::server {
namespace {

constexpr const char* kColumns =
    "override_id, kind, item_id, site_id, valid_from, valid_to, mode, value, service_level,"
    " min_stock, max_stock, lead_time_days, recommendation_id, quantity, reason, state, author,"
    " decided_by, decided_at, decision_note, version, created_at, updated_at";

std::string Etag(int64_t id, int64_t version) {
  return "\"ov-" + std::to_string(id) + "-v" + std::to_string(version) + "\"";
}

// The version named by If-Match ("ov-<id>-v<version>", weak or strong); 428 when absent,
// 412 when it names another override or cannot be read.
int64_t IfMatchVersion(const Request& req, int64_t id) {
  auto h = req.Header("if-match");
  if (!h)
    throw ApiError(428, "precondition_required",
                   "send If-Match with the ETag you read (GET /api/v1/overrides/" +
                       std::to_string(id) + ")");
  std::string_view v(*h);
  if (v.rfind("W/", 0) == 0) v.remove_prefix(2);
  const std::string prefix = "\"ov-" + std::to_string(id) + "-v";
  if (v.size() > prefix.size() + 1 && v.substr(0, prefix.size()) == prefix && v.back() == '"') {
    std::string_view num = v.substr(prefix.size(), v.size() - prefix.size() - 1);
    int64_t n = 0;
    bool ok = !num.empty() && num.size() < 10;
    for (char c : num) {
      ok = ok && c >= '0' && c <= '9';
      n = n * 10 + (c - '0');
    }
    if (ok) return n;
  }
  throw ApiError(412, "precondition_failed", "If-Match does not name a version of override " +
                                                 std::to_string(id));
}

// One override as the envelope, with its version as the ETag.
Response One(const pg::Result& r) {
  std::string out;
  AppendRowJson(out, r, 0);
  Response res = Envelope(out);
  res.headers.emplace_back("ETag", Etag(r.GetInt(0, 0), r.GetInt(0, 20)));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

// Drafts are their author's alone; everything else is visible to every role.
constexpr const char* kVisible = "(state <> 'DRAFT' OR author = $1)";

pg::Result Load(Ctx& ctx, int64_t id) {
  auto r = ctx.db.Q(std::string("SELECT ") + kColumns + " FROM analytics.overrides WHERE override_id = $2 AND " +
                        kVisible,
                    ctx.user->username, id);
  if (r.Rows() == 0)
    throw ApiError(404, "not_found", "override " + std::to_string(id) + " does not exist");
  return r;
}

// After an UPDATE ... WHERE version = $v matched nothing: 404, 412 with the current version,
// or 409 when the state does not allow the change.
[[noreturn]] void Refuse(Ctx& ctx, int64_t id, int64_t version, const std::string& why) {
  auto cur = Load(ctx, id);
  const int64_t now = cur.GetInt(0, 20);
  if (now != version) {
    ApiError e(412, "precondition_failed",
               "override " + std::to_string(id) + " is at version " + std::to_string(now) +
                   ", not " + std::to_string(version) + ": reload it and apply your change again");
    e.headers.emplace_back("ETag", Etag(id, now));
    throw e;
  }
  throw ApiError(409, "conflict", why + " (it is " + cur.GetString(0, 15) + ")");
}

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto state = p.Enum("state", {"DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "EXPIRED"});
  auto kind = p.Enum("kind", {"FORECAST", "POLICY", "RECOMMENDATION"});
  auto item = p.Int("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  auto mine = p.Bool("mine");
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(ctx,
                  std::string("SELECT ") + kColumns +
                      ", count(*) OVER () AS total_count FROM analytics.overrides WHERE " +
                      kVisible +
                      " AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR kind = $3)"
                      " AND ($4::int IS NULL OR item_id = $4) AND ($5::int IS NULL OR site_id = $5)"
                      " AND (NOT coalesce($6::bool, false) OR author = $1)"
                      " ORDER BY updated_at DESC, override_id DESC LIMIT $7 OFFSET $8",
                  {pg::Param(ctx.user->username), state, kind, pg::ToParam(item), pg::ToParam(site),
                   pg::ToParam(mine)},
                  limit, offset);
}

Response Get(Ctx& ctx) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  return One(Load(ctx, id));
}

// The fields a draft holds, read from a body (create, and edit of a draft).
struct Fields {
  std::optional<std::string> kind, mode, reason, valid_from, valid_to;
  std::optional<double> item, site, value, service_level, min_stock, max_stock, lead_time,
      recommendation, quantity;
};

// The fields a create or an edit may carry; anything else is refused (json_body.h).
constexpr const char* kFieldNames[] = {
    "kind",      "item_id",   "site_id",        "valid_from",        "valid_to",
    "mode",      "value",     "service_level",  "min_stock",         "max_stock",
    "lead_time_days", "recommendation_id", "quantity", "reason"};
constexpr const char* kNoteField[] = {"note"};

Fields ReadFields(const boost::json::object& o, Params& p) {
  Fields f;
  f.kind = StringField(o, "kind", p);
  f.mode = StringField(o, "mode", p);
  f.reason = StringField(o, "reason", p);
  f.valid_from = StringField(o, "valid_from", p);
  f.valid_to = StringField(o, "valid_to", p);
  f.item = NumberField(o, "item_id", 1, kMaxId, p);
  f.site = NumberField(o, "site_id", 1, kMaxId, p);
  f.value = NumberField(o, "value", -100, 1e12, p);
  f.service_level = NumberField(o, "service_level", 0.5, 0.9999, p);
  f.min_stock = NumberField(o, "min_stock", 0, 1e12, p);
  f.max_stock = NumberField(o, "max_stock", 0, 1e12, p);
  f.lead_time = NumberField(o, "lead_time_days", 0, 365, p);
  f.recommendation = NumberField(o, "recommendation_id", 1, 9e15, p);
  f.quantity = NumberField(o, "quantity", 0, 1e12, p);
  if (f.kind && *f.kind != "FORECAST" && *f.kind != "POLICY" && *f.kind != "RECOMMENDATION")
    p.Fail("kind", "must be one of FORECAST, POLICY, RECOMMENDATION");
  if (f.mode && *f.mode != "ABSOLUTE" && *f.mode != "PERCENT")
    p.Fail("mode", "must be ABSOLUTE or PERCENT");
  if (f.reason && (f.reason->size() < 3 || f.reason->size() > 500))
    p.Fail("reason", "must be 3 to 500 characters");
  for (auto* d : {&f.valid_from, &f.valid_to})
    if (*d && !ParseDate(**d)) p.Fail(d == &f.valid_from ? "valid_from" : "valid_to", "must be a date YYYY-MM-DD");
  return f;
}

// What a complete override of its kind needs; checked again by the table's constraints.
void CheckComplete(const Fields& f, Params& p) {
  if (!f.kind) p.Fail("kind", "is required");
  if (!f.item) p.Fail("item_id", "is required");
  if (!f.site) p.Fail("site_id", "is required");
  if (!f.reason) p.Fail("reason", "is required: say why the model is wrong here");
  if (!f.valid_from) p.Fail("valid_from", "is required");
  if (!f.valid_to) p.Fail("valid_to", "is required");
  if (f.valid_from && f.valid_to && *f.valid_to < *f.valid_from)
    p.Fail("valid_to", "must not be before valid_from");
  if (f.kind == "FORECAST") {
    if (!f.mode) p.Fail("mode", "is required for a FORECAST override");
    if (!f.value) p.Fail("value", "is required for a FORECAST override");
    if (f.mode == "ABSOLUTE" && f.value && *f.value < 0) p.Fail("value", "must be >= 0 units a day");
    if (f.mode == "PERCENT" && f.value && *f.value > 1000) p.Fail("value", "must be -100 to 1000 (%)");
  }
  if (f.kind == "POLICY" && !f.service_level && !f.min_stock && !f.max_stock && !f.lead_time)
    p.Fail("service_level", "a POLICY override sets at least one of service_level, min_stock, "
                            "max_stock, lead_time_days");
  if (f.min_stock && f.max_stock && *f.min_stock > *f.max_stock)
    p.Fail("min_stock", "must not exceed max_stock");
  if (f.kind == "RECOMMENDATION" && (!f.recommendation || !f.quantity))
    p.Fail("quantity", "a RECOMMENDATION override needs recommendation_id and quantity");
}

// InTransaction for a create or an edit: a row the table's CHECKs refuse is a 400 naming the
// field. An edit is checked only as a whole row, by the table (a PATCH of valid_to alone before
// valid_from, kind POLICY without its fields, a period past 366 days), and was a 500 (attack12).
void WriteChecked(Ctx& ctx, const std::function<void()>& fn) {
  try {
    InTransaction(ctx, fn);
  } catch (const pg::Error& e) {
    if (e.SqlState() != "23514") throw;
    static const std::pair<const char*, const char*> kRules[] = {
        {"\"overrides_check\"", "valid_to: must be on or after valid_from, at most 366 days later"},
        {"\"overrides_check1\"", "value: a FORECAST override needs mode and value (ABSOLUTE >= 0, "
                                 "PERCENT -100 to 1000)"},
        {"\"overrides_check2\"", "service_level: a POLICY override sets at least one of "
                                 "service_level, min_stock, max_stock, lead_time_days"},
        {"\"overrides_check3\"", "min_stock: must not exceed max_stock"},
        {"\"overrides_check4\"", "quantity: a RECOMMENDATION override needs recommendation_id "
                                 "and quantity"},
    };
    for (const auto& [name, why] : kRules)
      if (std::string_view(e.what()).find(name) != std::string_view::npos)
        throw ApiError(400, "invalid_parameter", why);
    throw ApiError(400, "invalid_parameter", "the override breaks a rule of overrides");
  }
}

std::vector<pg::Param> FieldParams(const Fields& f) {
  auto num = [](const std::optional<double>& d) -> pg::Param {
    if (!d) return std::nullopt;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", *d);
    return std::string(buf);
  };
  return {f.kind,      num(f.item),          num(f.site),      f.valid_from,
          f.valid_to,  f.mode,               num(f.value),     num(f.service_level),
          num(f.min_stock), num(f.max_stock), num(f.lead_time), num(f.recommendation),
          num(f.quantity), f.reason};
}

Response Create(Ctx& ctx) {
  const auto o = ParseStoredBody(ctx.req, kFieldNames);
  Params p(ctx.req);
  Fields f = ReadFields(o, p);
  CheckComplete(f, p);
  p.Check();
  std::vector<pg::Param> params = FieldParams(f);
  params.push_back(ctx.user->username);
  pg::Result row;
  WriteChecked(ctx, [&] {
    auto known = ctx.db.Q(
        "SELECT EXISTS (SELECT 1 FROM core.dim_item WHERE item_id = $1::numeric::int),"
        " EXISTS (SELECT 1 FROM core.dim_site WHERE site_id = $2::numeric::int)",
        params[1], params[2]);
    if (!known.GetBool(0, 0) || !known.GetBool(0, 1)) {
      Params bad(ctx.req);
      if (!known.GetBool(0, 0)) bad.Fail("item_id", "no such item");
      if (!known.GetBool(0, 1)) bad.Fail("site_id", "no such site");
      bad.Check();
    }
    if (f.kind == "RECOMMENDATION") {
      auto rec = ctx.db.Q(
          "SELECT 1 FROM analytics.recommendations WHERE recommendation_id = $1::numeric::bigint"
          " AND item_id = $2::numeric::int AND site_id = $3::numeric::int AND acknowledged_at IS NULL",
          params[11], params[1], params[2]);
      if (rec.Rows() == 0)
        throw ApiError(400, "invalid_parameter",
                       "recommendation_id: no open recommendation with that id for this item and site");
    }
    row = ctx.db.Query(
        std::string("INSERT INTO analytics.overrides (kind, item_id, site_id, valid_from, valid_to,"
                    " mode, value, service_level, min_stock, max_stock, lead_time_days,"
                    " recommendation_id, quantity, reason, author)"
                    " VALUES ($1, $2::numeric::int, $3::numeric::int, $4::date, $5::date, $6,"
                    " $7::numeric, $8::numeric, $9::numeric, $10::numeric, $11::numeric,"
                    " $12::numeric::bigint, $13::numeric, $14, $15) RETURNING ") +
            kColumns,
        params);
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "OVERRIDE_CREATE", std::string("override"), row.GetInt(0, 0),
                boost::json::serialize(o)});
  });
  Response res = One(row);
  res.status = 201;
  return res;
}

Response Edit(Ctx& ctx) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  const auto o = ParseStoredBody(ctx.req, kFieldNames);
  Fields f = ReadFields(o, p);
  p.Check();
  const int64_t version = IfMatchVersion(ctx.req, id);
  pg::Result row;
  WriteChecked(ctx, [&] {
    std::vector<pg::Param> params = FieldParams(f);
    params.push_back(std::to_string(id));
    params.push_back(std::to_string(version));
    params.push_back(ctx.user->username);
    // Only the author edits, and only a draft; a submitted one goes back to the author as a draft.
    row = ctx.db.Query(
        std::string("UPDATE analytics.overrides SET kind = coalesce($1, kind),"
                    " item_id = coalesce($2::numeric::int, item_id), site_id = coalesce($3::numeric::int, site_id),"
                    " valid_from = coalesce($4::date, valid_from), valid_to = coalesce($5::date, valid_to),"
                    " mode = coalesce($6, mode), value = coalesce($7::numeric, value),"
                    " service_level = coalesce($8::numeric, service_level),"
                    " min_stock = coalesce($9::numeric, min_stock), max_stock = coalesce($10::numeric, max_stock),"
                    " lead_time_days = coalesce($11::numeric, lead_time_days),"
                    " recommendation_id = coalesce($12::numeric::bigint, recommendation_id),"
                    " quantity = coalesce($13::numeric, quantity), reason = coalesce($14, reason),"
                    " state = 'DRAFT', version = version + 1, updated_at = now()"
                    " WHERE override_id = $15::bigint AND version = $16::int AND author = $17"
                    " AND state IN ('DRAFT', 'SUBMITTED') RETURNING ") +
            kColumns,
        params);
    if (row.Rows() == 0) Refuse(ctx, id, version, "only its author edits a draft or a submitted override");
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "OVERRIDE_EDIT", std::string("override"), id, boost::json::serialize(o)});
  });
  return One(row);
}

bool PeerApproval() {
  const char* v = std::getenv("CORRENTE_OVERRIDE_APPROVERS");
  return !v || std::string_view(v) != "admin";
}

// submit (author), approve / reject (approvers), withdraw (author: back to draft).
Response Transition(Ctx& ctx, const std::string& action) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  const auto o = ParseStoredBody(ctx.req, kNoteField);
  auto note = StringField(o, "note", p);
  if (note && note->size() > 500) p.Fail("note", "must be at most 500 characters");
  p.Check();
  const int64_t version = IfMatchVersion(ctx.req, id);
  const bool admin = ctx.user->role == Role::kAdmin;
  const bool decide = action == "approve" || action == "reject";
  if (decide && !admin && !PeerApproval())
    throw ApiError(403, "forbidden", "only an ADMIN approves or rejects overrides here");
  pg::Result row;
  InTransaction(ctx, [&] {
    std::string sql;
    if (action == "submit")
      sql = "UPDATE analytics.overrides SET state = 'SUBMITTED', version = version + 1, updated_at = now()"
            " WHERE override_id = $1 AND version = $2 AND author = $3 AND state = 'DRAFT'";
    else if (action == "withdraw")
      sql = "UPDATE analytics.overrides SET state = 'DRAFT', version = version + 1, updated_at = now()"
            " WHERE override_id = $1 AND version = $2 AND author = $3 AND state = 'SUBMITTED'";
    else
      // Nobody approves their own, ADMIN included: a second pair of eyes is the point.
      sql = std::string("UPDATE analytics.overrides SET state = '") +
            (action == "approve" ? "APPROVED" : "REJECTED") +
            "', decided_by = $3, decided_at = now(), decision_note = $4, version = version + 1,"
            " updated_at = now() WHERE override_id = $1 AND version = $2 AND author <> $3"
            " AND state = 'SUBMITTED'";
    if (action == "approve") {
      // One approved override per series, kind and day: serialise approvals of a series and
      // refuse one that overlaps. The lock is its own statement: a statement's snapshot is
      // taken before it runs, so a check in the statement that waited for the lock would not
      // see the approval committed meanwhile (two overlapping approvals at once both passed).
      ctx.db.Q(
          "SELECT pg_advisory_xact_lock(hashtext('override:' || item_id || ':' || site_id))"
          " FROM analytics.overrides WHERE override_id = $1",
          id);
      auto ov = ctx.db.Q(
          "SELECT o.override_id FROM analytics.overrides n, analytics.overrides o"
          " WHERE n.override_id = $1 AND o.state = 'APPROVED' AND o.kind = n.kind"
          " AND o.item_id = n.item_id AND o.site_id = n.site_id AND o.override_id <> n.override_id"
          " AND o.valid_from <= n.valid_to AND o.valid_to >= n.valid_from"
          " AND (n.kind <> 'RECOMMENDATION' OR o.recommendation_id = n.recommendation_id) LIMIT 1",
          id);
      if (ov.Rows() > 0)
        throw ApiError(409, "conflict", "approved override " + ov.GetString(0, 0) +
                                            " already covers part of this period; reject or let it expire first");
    }
    std::vector<pg::Param> params{std::to_string(id), std::to_string(version), ctx.user->username};
    if (decide) params.push_back(note);
    row = ctx.db.Query(sql + " RETURNING " + kColumns, params);
    if (row.Rows() == 0)
      Refuse(ctx, id, version,
             decide ? "an override is approved or rejected once it is SUBMITTED, and not by its author"
                    : "only its author " + action + "s it, from " + (action == "submit" ? "DRAFT" : "SUBMITTED"));
    if (action == "approve" && row.GetString(0, 1) == "FORECAST") {
      // The statistical forecast it replaces, for its value added once actuals arrive.
      ctx.db.Q(
          "INSERT INTO analytics.override_baselines (override_id, full_date, run_id, yhat)"
          " SELECT o.override_id, f.full_date, f.run_id, f.yhat FROM analytics.overrides o"
          " JOIN analytics.forecasts f ON f.item_id = o.item_id AND f.site_id = o.site_id"
          "  AND f.full_date BETWEEN o.valid_from AND o.valid_to"
          " WHERE o.override_id = $1 AND f.run_id = (" +
              std::string(kLatestRun) + ") ON CONFLICT DO NOTHING",
          id);
    }
    std::string upper = action;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "OVERRIDE_" + upper, std::string("override"), id,
                boost::json::serialize(o)});
  });
  return One(row);
}

// Forecast value added: each approved FORECAST override's days with actuals, scored against
// the statistical forecast it replaced (WAPE of both), per author and overall.
Response ValueAdded(Ctx& ctx) {
  Params p(ctx.req);
  p.Check();
  auto r = ctx.db.Q(
      "WITH days AS ("
      " SELECT o.author, o.override_id, b.yhat AS statistical,"
      "  CASE o.mode WHEN 'ABSOLUTE' THEN o.value ELSE b.yhat * (1 + o.value / 100) END AS planner,"
      "  coalesce(d.quantity, 0) AS actual"
      " FROM analytics.overrides o JOIN analytics.override_baselines b USING (override_id)"
      " LEFT JOIN core.fact_demand_daily d ON d.item_id = o.item_id AND d.site_id = o.site_id"
      "  AND d.full_date = b.full_date"
      " WHERE o.kind = 'FORECAST' AND o.state IN ('APPROVED', 'EXPIRED')"
      "  AND b.full_date <= (SELECT max(full_date) FROM core.fact_demand_daily))"
      " SELECT coalesce(author, 'all') AS author, count(DISTINCT override_id) AS overrides,"
      "  count(*) AS days, round(sum(actual), 4) AS actual_units,"
      "  round(sum(abs(statistical - actual)) / nullif(sum(actual), 0), 4) AS statistical_wape,"
      "  round(sum(abs(planner - actual)) / nullif(sum(actual), 0), 4) AS override_wape,"
      "  round((sum(abs(statistical - actual)) - sum(abs(planner - actual)))"
      "   / nullif(sum(actual), 0), 4) AS value_added"
      " FROM days GROUP BY ROLLUP (author) ORDER BY author IS NULL, author");
  return Envelope(RowsJson(r), "{\"definition\":\"value_added = statistical_wape - override_wape"
                               " over the overrides' days with actuals; positive: the overrides helped\"}");
}

// The effective forecast of one item (one site, or all) as its author will see it once their
// drafts are approved: the published run, the approved overrides, and the caller's own drafts
// and submitted overrides ahead of them.
Response Preview(Ctx& ctx) {
  Params p(ctx.req);
  auto item = p.RequiredInt("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  int64_t limit = p.BufferedLimit(), offset = p.Offset();
  p.Check();
  return ListPage(ctx,
                  "SELECT f.full_date, f.item_id, f.site_id, f.horizon_days, " +
                      EffectiveColumns() +
                      ", count(*) OVER () AS total_count FROM analytics.forecasts f" +
                      OverrideJoin("$3") + " WHERE f.run_id = (" + kLatestRun +
                      ") AND f.item_id = $1 AND ($2::int IS NULL OR f.site_id = $2)"
                      " ORDER BY f.site_id, f.full_date LIMIT $4 OFFSET $5",
                  {pg::ToParam(item), pg::ToParam(site), pg::Param(ctx.user->username)}, limit,
                  offset);
}

}  // namespace

void AddOverrideRoutes(std::vector<ApiRoute>& routes, Services&) {
  const std::vector<ParamDoc> list_params = {
      {"state", "query", "string", {"DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "EXPIRED"}, "state"},
      {"kind", "query", "string", {"FORECAST", "POLICY", "RECOMMENDATION"}, "kind"},
      {"item_id", "query", "integer", {}, "item"},
      {"site_id", "query", "integer", {}, "site"},
      {"mine", "query", "boolean", {}, "only the caller's own"},
      LimitDoc(), OffsetDoc(), FormatDoc()};
  const std::string body =
      R"({"type":"object","properties":{"kind":{"enum":["FORECAST","POLICY","RECOMMENDATION"]},)"
      R"("item_id":{"type":"integer"},"site_id":{"type":"integer"},"valid_from":{"type":"string","format":"date"},)"
      R"("valid_to":{"type":"string","format":"date"},"mode":{"enum":["ABSOLUTE","PERCENT"]},"value":{"type":"number"},)"
      R"("service_level":{"type":"number"},"min_stock":{"type":"number"},"max_stock":{"type":"number"},)"
      R"("lead_time_days":{"type":"number"},"recommendation_id":{"type":"integer"},"quantity":{"type":"number"},)"
      R"("reason":{"type":"string","minLength":3,"maxLength":500}}})";
  const std::string note = R"({"type":"object","properties":{"note":{"type":"string","maxLength":500}}})";
  routes.push_back({"GET", "/api/v1/overrides", Role::kViewer, false, true, "overrides",
                    "Overrides (drafts only their author's), newest first", list_params, "", List});
  routes.push_back({"GET", "/api/v1/overrides/value-added", Role::kViewer, false, false, "overrides",
                    "Forecast value added: WAPE of the overrides against the statistical forecasts "
                    "they replaced, per author and overall",
                    {}, "", ValueAdded});
  routes.push_back({"GET", "/api/v1/overrides/preview", Role::kAnalyst, false, true, "overrides",
                    "The effective forecast with your own drafts applied (not cached)",
                    {{"item_id", "query", "integer", {}, "item", true},
                     {"site_id", "query", "integer", {}, "site"}, LimitDoc(), OffsetDoc(), FormatDoc()},
                    "", Preview});
  routes.push_back({"GET", "/api/v1/overrides/{id}", Role::kViewer, false, false, "overrides",
                    "One override; its ETag is the version to send in If-Match", {IdDoc("id")}, "", Get});
  routes.push_back({"POST", "/api/v1/overrides", Role::kAnalyst, false, false, "overrides",
                    "Create a DRAFT override (201, with its ETag)", {}, body, Create});
  routes.push_back({"PATCH", "/api/v1/overrides/{id}", Role::kAnalyst, false, false, "overrides",
                    "Edit your draft (If-Match required; 412 when stale)", {IdDoc("id")}, body, Edit});
  for (const char* a : {"submit", "withdraw", "approve", "reject"}) {
    const std::string action = a;
    routes.push_back({"POST", "/api/v1/overrides/{id}/" + action, Role::kAnalyst, false, false,
                      "overrides",
                      action == "submit"     ? "Submit your draft for approval (If-Match)"
                      : action == "withdraw" ? "Take your submitted override back to draft (If-Match)"
                      : action == "approve"
                          ? "Approve a submitted override: ADMIN, or another ANALYST (If-Match)"
                          : "Reject a submitted override: ADMIN, or another ANALYST (If-Match)",
                      {IdDoc("id")}, note, [action](Ctx& ctx) { return Transition(ctx, action); }});
  }
}

}  // namespace corrente::server
