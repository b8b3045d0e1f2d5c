#pragma once
// The API's enum vocabularies, in one place: the OpenAPI document's schemas come from here,
// the dashboard's TypeScript types are generated from that document, and a database test
// checks the SQL CHECK constraints against these lists (tests/api/api_schemas.sh).
#include <array>
#include <string_view>

namespace corrente::vocabulary {

inline constexpr std::array<std::string_view, 3> kRoles = {"ADMIN", "ANALYST", "VIEWER"};
inline constexpr std::array<std::string_view, 3> kAbcClasses = {"A", "B", "C"};
inline constexpr std::array<std::string_view, 5> kRecommendationTypes = {
    "REORDER", "EXPEDITE", "REALLOCATE", "HOLD", "PROMO"};
inline constexpr std::array<std::string_view, 4> kRecommendationPriorities = {
    "LOW", "MEDIUM", "HIGH", "CRITICAL"};
inline constexpr std::array<std::string_view, 3> kAlertLevels = {"NORMAL", "WARNING",
                                                                 "CRITICAL"};
inline constexpr std::array<std::string_view, 5> kAlertCategories = {
    "STOCKOUT_IMMINENT", "BELOW_SAFETY_STOCK", "SUPPLIER_DELAY", "FORECAST_DRIFT",
    "PIPELINE_FAILED"};
inline constexpr std::array<std::string_view, 3> kOverrideKinds = {"FORECAST", "POLICY",
                                                                   "RECOMMENDATION"};
inline constexpr std::array<std::string_view, 2> kOverrideModes = {"ABSOLUTE", "PERCENT"};
inline constexpr std::array<std::string_view, 5> kOverrideStates = {
    "DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "EXPIRED"};
inline constexpr std::array<std::string_view, 3> kRunStatuses = {"RUNNING", "SUCCEEDED",
                                                                 "FAILED"};
inline constexpr std::array<std::string_view, 3> kSiteTypes = {"WAREHOUSE", "STORE",
                                                               "DISTRIBUTION_CENTER"};
inline constexpr std::array<std::string_view, 3> kSupplierTypes = {"DOMESTIC", "IMPORT",
                                                                   "HYBRID"};
inline constexpr std::array<std::string_view, 4> kOrderStatuses = {"PLACED", "RECEIVED",
                                                                   "CANCELLED", "DELAYED"};
inline constexpr std::array<std::string_view, 3> kStockRisks = {"stockout", "at_risk", "ok"};

}  // namespace corrente::vocabulary
