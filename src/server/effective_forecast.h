#pragma once
// The live merge of Mirror + Delta, in SQL: the published forecast row `f` (the mirror) with the
// FORECAST override that covers its day (the delta) applied on top, and a recommendation's
// quantity with its approved RECOMMENDATION override. Used by /forecasts and /forecasts/total
// (approved overrides only: the same for every caller, so cacheable), by /overrides/preview
// (the caller's own drafts too, ahead of approved ones) and by /recommendations.
#include <string>

namespace corrente::server {

// The join that finds the override of each row `f`. With `author_param` (e.g. "$8"), the
// caller's DRAFT or SUBMITTED overrides also apply, ahead of approved ones.
inline std::string OverrideJoin(const std::string& author_param = "") {
  const std::string drafts =
      author_param.empty()
          ? std::string()
          : " OR (o.author = " + author_param + " AND o.state IN ('DRAFT', 'SUBMITTED'))";
  return " LEFT JOIN LATERAL (SELECT o.override_id, o.mode, o.value, o.author, o.state"
         " FROM analytics.overrides o WHERE o.kind = 'FORECAST' AND o.item_id = f.item_id"
         " AND o.site_id = f.site_id AND f.full_date BETWEEN o.valid_from AND o.valid_to"
         " AND (o.state = 'APPROVED'" +
         drafts +
         ") ORDER BY o.state = 'APPROVED', o.updated_at DESC LIMIT 1) ov ON true";
}

// A forecast column of `f` with the override applied: ABSOLUTE replaces the mean and shifts
// the bounds with it (never below 0); PERCENT scales all of them. Rounded to 4 places, not cast
// to numeric(18,4): a large override overflowed the cast (a 500).
inline std::string Effective(const std::string& col) {
  return "round(CASE ov.mode WHEN 'ABSOLUTE' THEN greatest(0, f." + col +
         " + ov.value - f.yhat) WHEN 'PERCENT' THEN f." + col +
         " * (1 + ov.value / 100) ELSE f." + col + " END, 4)";
}

// The select list of an effective forecast row, with where it came from.
inline std::string EffectiveColumns() {
  return Effective("yhat") + " AS yhat, " + Effective("yhat_lower") + " AS yhat_lower, " +
         Effective("yhat_upper") + " AS yhat_upper, " + Effective("yhat_lower_95") +
         " AS yhat_lower_95, " + Effective("yhat_upper_95") +
         " AS yhat_upper_95, f.yhat AS yhat_statistical, ov.override_id IS NOT NULL AS overridden,"
         " ov.override_id, ov.author AS override_author, ov.state AS override_state";
}

// EffectiveColumns() where no override applies: the same names and values, without the CASEs.
inline std::string PlainColumns() {
  return "f.yhat, f.yhat_lower, f.yhat_upper, f.yhat_lower_95, f.yhat_upper_95,"
         " f.yhat AS yhat_statistical, false AS overridden, NULL::bigint AS override_id,"
         " NULL::text AS override_author, NULL::text AS override_state";
}

// Whether any approved FORECAST override exists for the series the filters name (`filters`:
// GivenOnly's " AND ..." over g.item_id and g.site_id). Uncorrelated, so PostgreSQL runs it
// once (an InitPlan): when it is false, OverrideJoin() can have nothing to find on any row.
inline std::string AnyApprovedOverride(const std::string& filters) {
  return "EXISTS (SELECT 1 FROM analytics.overrides g WHERE g.kind = 'FORECAST'"
         " AND g.state = 'APPROVED'" + filters + ")";
}

// The quantity of recommendation row `alias` as planned: its approved RECOMMENDATION override's
// quantity while the override is valid today, else the pipeline's.
inline std::string EffectiveQuantity(const std::string& alias) {
  return "coalesce((SELECT o.quantity FROM analytics.overrides o WHERE o.state = 'APPROVED'"
         " AND o.kind = 'RECOMMENDATION' AND o.item_id = " + alias + ".item_id AND o.site_id = " +
         alias + ".site_id AND o.recommendation_id = " + alias +
         ".recommendation_id AND current_date BETWEEN o.valid_from AND o.valid_to"
         " ORDER BY o.decided_at DESC LIMIT 1), " + alias + ".quantity_recommended)";
}

}  // namespace corrente::server
