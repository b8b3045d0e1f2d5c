#pragma once
// A simulation's results as a terminal table, CSV, JSON (what analytics.simulation_runs and
// the API store) and an SVG chart of stockouts against average stock. Pure.
#include <string>
#include <vector>

#include "simulate/simulate.h"

namespace corrente::simulate {

std::string TextTable(const std::vector<PolicyRun>& runs);
std::string Csv(const std::vector<PolicyRun>& runs);
std::string Json(const std::vector<PolicyRun>& runs);
// The demand outliers read as zero, as stored in a run's params.demand_outliers:
// {"days":N,"concerned":M} (M series with at least one such day).
std::string OutliersJson(const decide::OutlierTally& tally);
// Each policy's sweep as a curve (x: average units on hand, y: stockout rate %), its default
// run as a marker.
std::string Svg(const std::vector<PolicyRun>& runs);

}  // namespace corrente::simulate
