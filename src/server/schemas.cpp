#include "server/schemas.h"

#include <boost/json.hpp>
#include <map>
#include <stdexcept>

#include "common/vocabulary.h"

namespace corrente::server {
namespace {

namespace json = boost::json;
namespace v = vocabulary;

json::object Type(const char* t) { return {{"type", t}}; }
json::object I() { return Type("integer"); }
json::object N() { return Type("number"); }
json::object S() { return Type("string"); }
json::object B() { return Type("boolean"); }
json::object D() { return {{"type", "string"}, {"format", "date"}}; }
json::object T() { return {{"type", "string"}, {"format", "date-time"}}; }
json::object Any() { return Type("object"); }  // a free-form object (details, features, params)
json::object Ref(const char* name) {
  return {{"$ref", std::string("#/components/schemas/") + name}};
}
json::object Array(json::object items) { return {{"type", "array"}, {"items", std::move(items)}}; }
template <size_t K>
json::object Enum(const std::array<std::string_view, K>& values) {
  json::array e;
  for (std::string_view s : values) e.emplace_back(s);
  return {{"type", "string"}, {"enum", std::move(e)}};
}

// The same schema, or null.
json::object Null(json::object s) {
  if (s.contains("$ref")) return {{"anyOf", json::array{s, Type("null")}}};
  s["type"] = json::array{s["type"], "null"};
  if (auto* e = s.if_contains("enum")) e->as_array().emplace_back(nullptr);
  return s;
}

struct Field {
  const char* name;
  json::object schema;
  bool optional = false;  // may be absent (as opposed to null)
};
using Fields = std::vector<Field>;

Fields operator+(Fields a, const Fields& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A closed object: every field listed, the non-optional ones required, nothing else allowed.
json::object Object(const Fields& fields) {
  json::object props;
  json::array required;
  for (const Field& f : fields) {
    props[f.name] = f.schema;
    if (!f.optional) required.emplace_back(f.name);
  }
  return {{"type", "object"},
          {"properties", std::move(props)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

Fields ItemFields() {
  return {{"item_id", I()},
          {"sku", S()},
          {"name", S()},
          {"description", Null(S())},
          {"family", Null(S())},
          {"category", Null(S())},
          {"subcategory", Null(S())},
          {"unit_measure", Null(S())},
          {"abc_class", Null(Enum(v::kAbcClasses))},
          {"criticality", Null(I())},
          {"active", B()},
          {"unit_cost", Null(N())},
          {"unit_price", Null(N())},
          {"supplier_id", Null(I())},
          {"min_order_qty", Null(N())},
          {"max_order_qty", Null(N())}};
}

Fields UserFields() {
  return {{"user_id", I()},
          {"username", S()},
          {"email", Null(S())},
          {"role", Enum(v::kRoles)},
          {"active", B()},
          {"last_login", Null(T())},
          {"password_changed_at", Null(T())},
          {"created_at", T()},
          {"updated_at", T(), true}};  // not in /auth/me
}

// What a queue row carries beyond its own columns (lists join them; single rows do not).
Fields QueueJoins() {
  return {{"sku", Null(S()), true},
          {"item_name", Null(S()), true},
          {"abc_class", Null(Enum(v::kAbcClasses)), true},
          {"site_name", Null(S()), true}};
}

Fields RecommendationCore() {
  return {{"recommendation_id", I()},
          {"type", Enum(v::kRecommendationTypes)},
          {"priority", Enum(v::kRecommendationPriorities)},
          {"message", S()},
          {"action_date", Null(D())},
          {"quantity_recommended", Null(N())},
          {"quantity_model", Null(N())},
          {"created_at", T()},
          {"acknowledged_at", Null(T())},
          {"acknowledged_by", Null(S())},
          {"priority_score", N()}};
}

Fields AlertCore() {
  return {{"alert_id", I()},
          {"level", Enum(v::kAlertLevels)},
          {"category", Enum(v::kAlertCategories)},
          {"message", S()},
          {"created_at", T()},
          {"read_at", Null(T())},
          {"resolved_at", Null(T())},
          {"priority_score", N()}};
}

Fields GroupFields() {
  return {{"item_id", Null(I())},   {"sku", Null(S())},
          {"item_name", Null(S())}, {"abc_class", Null(Enum(v::kAbcClasses))},
          {"site_id", Null(I())},   {"site_name", Null(S())},
          {"count", I()},           {"top_priority_score", N()},
          {"latest_at", T()}};
}

Fields ForecastFields() {
  return {{"full_date", D()},
          {"item_id", I()},
          {"site_id", I()},
          {"horizon_days", I()},
          {"yhat", N()},
          {"yhat_lower", Null(N())},
          {"yhat_upper", Null(N())},
          {"yhat_lower_95", Null(N())},
          {"yhat_upper_95", Null(N())},
          {"yhat_statistical", Null(N())},
          {"overridden", B()},
          {"override_id", Null(I())},
          {"override_author", Null(S())},
          {"override_state", Null(Enum(v::kOverrideStates))},
          // Published rows only (a preview is not stored).
          {"confidence_level", Null(N()), true},
          {"model_tag", Null(S()), true},
          {"computed_at", Null(T()), true}};
}

}  // namespace

json::object ResponseComponents() {
  json::object c;
  c["LoginReply"] = Object({{"access_token", S()},
                            {"token_type", S()},
                            {"expires_in", I()},
                            {"role", Enum(v::kRoles)},
                            {"username", S()}});
  c["Logout"] = Object({{"revoked", B()}});
  c["LogoutAll"] = Object({{"revoked_all", B()}});
  c["User"] = Object(UserFields());
  c["Item"] = Object(ItemFields());
  c["ItemDetail"] = Object(ItemFields() + Fields{{"extra_attributes", Null(Any())},
                                                 {"created_at", T()},
                                                 {"updated_at", T()},
                                                 {"supplier_code", Null(S())},
                                                 {"supplier_name", Null(S())}});
  c["Site"] = Object({{"site_id", I()},
                      {"code", S()},
                      {"name", S()},
                      {"region_id", Null(I())},
                      {"region_name", Null(S())},
                      {"latitude", Null(N())},
                      {"longitude", Null(N())},
                      {"site_type", Null(Enum(v::kSiteTypes))},
                      {"active", B()}});
  c["Region"] = Object({{"region_id", I()},
                        {"name", S()},
                        {"state_code", Null(S())},
                        {"economic_zone", Null(S())},
                        {"site_count", I()}});
  c["Supplier"] = Object({{"supplier_id", I()},
                          {"code", S()},
                          {"name", S()},
                          {"supplier_type", Null(Enum(v::kSupplierTypes))},
                          {"reliability_score", Null(N())},
                          {"avg_lead_time_days", Null(N())},
                          {"on_time_delivery_rate", Null(N())},
                          {"active", B()}});
  c["Kpi"] = Object({{"full_date", D()},
                     {"total_demand", Null(N())},
                     {"stockout_rate", Null(N())},
                     {"abc_a_share", Null(N())},
                     {"delayed_orders_pct", Null(N())},
                     {"forecast_mape", Null(N())},
                     {"forecast_wape", Null(N())},
                     {"avg_inventory_value", Null(N())},
                     {"computed_at", Null(T())},
                     {"run_id", Null(I())}});
  c["DemandPoint"] = Object({{"full_date", D()}, {"quantity", N()}});
  c["InventoryPoint"] = Object({{"full_date", D()},
                                {"site_id", I(), true},
                                {"current_stock", Null(N())},
                                {"safety_stock", Null(N())},
                                {"reorder_point", Null(N())},
                                {"days_to_rupture", Null(I())}});
  c["HealthRow"] = Object({{"site_id", I()},
                           {"site_code", S()},
                           {"site_name", S()},
                           {"abc_class", Null(Enum(v::kAbcClasses))},
                           {"items", I()},
                           {"at_risk", I()},
                           {"stockouts", I()},
                           {"median_coverage_days", Null(N())},
                           {"avg_coverage_days", Null(N())},
                           {"inventory_value", Null(N())}});
  c["SnapshotRow"] = Object({{"full_date", D()},
                             {"item_id", I()},
                             {"sku", S()},
                             {"item_name", S()},
                             {"abc_class", Null(Enum(v::kAbcClasses))},
                             {"criticality", Null(I())},
                             {"site_id", I()},
                             {"site_code", S()},
                             {"site_name", S()},
                             {"current_stock", Null(N())},
                             {"safety_stock", Null(N())},
                             {"reorder_point", Null(N())},
                             {"days_to_rupture", Null(I())},
                             {"lead_time_days", Null(N())},
                             {"coverage_days", Null(N())},
                             {"stock_value", Null(N())},
                             {"money_at_stake", N()},
                             {"stockout", B()},
                             {"at_risk", B()},
                             {"risk", Enum(v::kStockRisks)}});
  c["ForecastPoint"] = Object(ForecastFields());
  c["ForecastTotal"] = Object({{"full_date", D()},
                               {"yhat", N()},
                               {"yhat_lower", Null(N())},
                               {"yhat_upper", Null(N())},
                               {"series", I()},
                               {"overridden", I()}});
  c["FeatureRow"] = Object({{"full_date", D()},
                            {"item_id", I()},
                            {"site_id", Null(I())},
                            {"features", Any()},
                            {"schema_version", Null(S())},
                            {"computed_at", Null(T())},
                            {"run_id", Null(I())}});
  c["ProjectionSupplier"] = Object({{"supplier_id", I()},
                                    {"code", S()},
                                    {"name", S()},
                                    {"supplier_type", Null(Enum(v::kSupplierTypes))},
                                    {"reliability_score", Null(N())},
                                    {"on_time_delivery_rate", Null(N())},
                                    {"avg_lead_time_days", Null(N())}});
  c["ProjectionDay"] = Object({{"full_date", D()},
                               {"forecast", N()},
                               {"receipts", N()},
                               {"projected", N()},
                               {"lower", N()},
                               {"upper", N()}});
  c["OpenOrder"] = Object({{"order_id", I()},
                           {"site_id", I()},
                           {"order_date", D()},
                           {"expected_delivery_date", Null(D())},
                           {"quantity", N()},
                           {"status", Enum(v::kOrderStatuses)},
                           {"late", B()},
                           {"arrives_on", D()}});
  c["SiteBalance"] = Object({{"site_id", I()},
                             {"site_code", S()},
                             {"site_name", S()},
                             {"on_hand", N()},
                             {"on_order", N()},
                             {"avg_daily_demand", N()},
                             {"days_of_cover", Null(N())},
                             {"safety_stock", N()},
                             {"reorder_point", N()},
                             {"order_up_to", N()},
                             {"lead_time_days", N()},
                             {"days_to_rupture", Null(I())},
                             {"short_units", N()},
                             {"surplus_units", N()},
                             {"reallocate_candidate", B()}});
  c["Projection"] = Object({{"item_id", I()},
                            {"site_id", Null(I())},
                            {"run_id", Null(I())},
                            {"as_of", Null(D())},
                            {"horizon_days", I()},
                            {"supplier", Null(Ref("ProjectionSupplier"))},
                            {"on_hand", Null(N())},
                            {"on_order", Null(N())},
                            {"avg_daily_demand", Null(N())},
                            {"safety_stock", Null(N())},
                            {"reorder_point", Null(N())},
                            {"order_up_to", Null(N())},
                            {"lead_time_days", Null(N())},
                            {"run_out_date", Null(D())},
                            {"days_to_run_out", Null(I())},
                            {"days", Array(Ref("ProjectionDay"))},
                            {"orders", Array(Ref("OpenOrder"))},
                            {"sites", Array(Ref("SiteBalance"))}});
  const Fields row_refs = {{"item_id", Null(I())},
                           {"site_id", Null(I())},
                           {"details", Any()},
                           {"updated_at", T()},
                           {"run_id", Null(I())}};
  c["Recommendation"] = Object(RecommendationCore() + row_refs + QueueJoins());
  c["RecommendationRow"] = Object(RecommendationCore());
  c["RecommendationGroup"] =
      Object(GroupFields() + Fields{{"top_priority", Enum(v::kRecommendationPriorities)},
                                    {"open", I()},
                                    {"rows", Array(Ref("RecommendationRow"))}});
  c["Alert"] = Object(AlertCore() + row_refs + QueueJoins());
  c["AlertRow"] = Object(AlertCore());
  c["AlertGroup"] = Object(GroupFields() + Fields{{"top_level", Enum(v::kAlertLevels)},
                                                  {"unread", I()},
                                                  {"rows", Array(Ref("AlertRow"))}});
  json::object ids = Array(I());
  c["BulkResult"] = Object(
      {{"action", S()}, {"requested", I()}, {"changed", ids}, {"unchanged", ids}});
  c["Override"] = Object({{"override_id", I()},
                          {"kind", Enum(v::kOverrideKinds)},
                          {"item_id", I()},
                          {"site_id", I()},
                          {"valid_from", D()},
                          {"valid_to", D()},
                          {"mode", Null(Enum(v::kOverrideModes))},
                          {"value", Null(N())},
                          {"service_level", Null(N())},
                          {"min_stock", Null(N())},
                          {"max_stock", Null(N())},
                          {"lead_time_days", Null(N())},
                          {"recommendation_id", Null(I())},
                          {"quantity", Null(N())},
                          {"reason", S()},
                          {"state", Enum(v::kOverrideStates)},
                          {"author", S()},
                          {"decided_by", Null(S())},
                          {"decided_at", Null(T())},
                          {"decision_note", Null(S())},
                          {"version", I()},
                          {"created_at", T()},
                          {"updated_at", T()}});
  c["OverrideValueAdded"] = Object({{"author", S()},
                                    {"overrides", I()},
                                    {"days", I()},
                                    {"actual_units", Null(N())},
                                    {"statistical_wape", Null(N())},
                                    {"override_wape", Null(N())},
                                    {"value_added", Null(N())}});
  c["Simulation"] = Object({{"simulation_id", I()},
                            {"status", Enum(v::kRunStatuses)},
                            {"source", S()},
                            {"params", Any()},
                            {"created_by", Null(S())},
                            {"started_at", T()},
                            {"finished_at", Null(T())},
                            {"error", Null(S())},
                            // One simulation only: the policy table, or a what-if's comparison.
                            {"results", json::object{}, true}});
  c["SimulationStarted"] =
      Object({{"simulation_id", I()}, {"status", Enum(v::kRunStatuses)}, {"poll", S()}});
  c["AuditLog"] = Object({{"audit_id", I()},
                          {"actor", S()},
                          {"action", S()},
                          {"entity_type", Null(S())},
                          {"entity_id", Null(I())},
                          {"details", json::object{}},
                          {"ip_address", Null(S())},
                          {"user_agent", Null(S())},
                          {"timestamp", T()}});
  return c;
}

void AttachResponses(std::vector<ApiRoute>& routes) {
  struct Reply {
    const char* schema;
    int status = 200;
  };
  static const std::map<std::string, Reply> kResponses = {
      {"POST /api/v1/auth/login", {"LoginReply"}},
      {"GET /api/v1/auth/me", {"User"}},
      {"POST /api/v1/auth/refresh", {"LoginReply"}},
      {"POST /api/v1/auth/logout", {"Logout"}},
      {"POST /api/v1/auth/logout-all", {"LogoutAll"}},
      {"GET /api/v1/items", {"Item[]"}},
      {"GET /api/v1/items/{id}", {"ItemDetail"}},
      {"GET /api/v1/items/{id}/projection", {"Projection"}},
      {"GET /api/v1/sites", {"Site[]"}},
      {"GET /api/v1/regions", {"Region[]"}},
      {"GET /api/v1/suppliers", {"Supplier[]"}},
      {"GET /api/v1/analytics/kpis", {"Kpi[]"}},
      {"GET /api/v1/demand/timeseries", {"DemandPoint[]"}},
      {"GET /api/v1/inventory/timeseries", {"InventoryPoint[]"}},
      {"GET /api/v1/inventory/health", {"HealthRow[]"}},
      {"GET /api/v1/inventory/snapshot", {"SnapshotRow[]"}},
      {"GET /api/v1/forecasts", {"ForecastPoint[]"}},
      {"GET /api/v1/forecasts/total", {"ForecastTotal[]"}},
      {"GET /api/v1/features", {"FeatureRow[]"}},
      {"GET /api/v1/recommendations", {"Recommendation[]"}},
      {"GET /api/v1/recommendations/groups", {"RecommendationGroup[]"}},
      {"POST /api/v1/recommendations/bulk", {"BulkResult"}},
      {"PATCH /api/v1/recommendations/{id}/acknowledge", {"Recommendation"}},
      {"GET /api/v1/alerts", {"Alert[]"}},
      {"GET /api/v1/alerts/groups", {"AlertGroup[]"}},
      {"POST /api/v1/alerts/bulk", {"BulkResult"}},
      {"PATCH /api/v1/alerts/{id}/mark-read", {"Alert"}},
      {"PATCH /api/v1/alerts/{id}/resolve", {"Alert"}},
      {"GET /api/v1/simulations", {"Simulation[]"}},
      {"POST /api/v1/simulations", {"SimulationStarted", 202}},
      {"GET /api/v1/simulations/{id}", {"Simulation"}},
      {"GET /api/v1/overrides", {"Override[]"}},
      {"POST /api/v1/overrides", {"Override", 201}},
      {"GET /api/v1/overrides/value-added", {"OverrideValueAdded[]"}},
      {"GET /api/v1/overrides/preview", {"ForecastPoint[]"}},
      {"GET /api/v1/overrides/{id}", {"Override"}},
      {"PATCH /api/v1/overrides/{id}", {"Override"}},
      {"POST /api/v1/overrides/{id}/submit", {"Override"}},
      {"POST /api/v1/overrides/{id}/withdraw", {"Override"}},
      {"POST /api/v1/overrides/{id}/approve", {"Override"}},
      {"POST /api/v1/overrides/{id}/reject", {"Override"}},
      {"GET /api/v1/admin/users", {"User[]"}},
      {"POST /api/v1/admin/users", {"User", 201}},
      {"PATCH /api/v1/admin/users/{id}", {"User"}},
      {"GET /api/v1/admin/audit-logs", {"AuditLog[]"}},
  };
  for (ApiRoute& r : routes) {
    if (!r.produces.empty()) continue;  // not the JSON envelope (the event stream)
    auto it = kResponses.find(r.method + " " + r.pattern);
    if (it == kResponses.end())
      throw std::logic_error("no response schema for " + r.method + " " + r.pattern +
                             " (server/schemas.cpp)");
    r.response = it->second.schema;
    r.status = it->second.status;
  }
}

}  // namespace corrente::server
