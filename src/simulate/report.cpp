#include "simulate/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/json.h"

namespace corrente::simulate {
namespace {

// The specification's targets of unfilled demand per class.
double Target(char c) { return c == 'A' ? 0.02 : c == 'B' ? 0.05 : 0.10; }

std::string F(const char* fmt, double v) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

std::string Label(const PolicyRun& r) {
  return r.service > 0 ? r.name + "@" + F("%.3g", r.service) : r.name;
}

std::string Num(double v) { return std::isfinite(v) ? F("%.6g", v) : "null"; }

// Open STOCKOUT_IMMINENT alerts per 20 series on an average replayed day (the issue's bar: one).
double OpenPer20(const Outcome& o) { return o.days ? 20.0 * o.alert_days / o.days : NAN; }

std::string OutcomeJson(const Outcome& o) {
  return "{\"stockout_rate\":" + Num(StockoutRate(o)) + ",\"fill_rate\":" +
         Num(1 - StockoutRate(o)) + ",\"demand\":" + Num(o.demand) + ",\"served\":" +
         Num(o.served) + ",\"lost\":" + Num(o.lost) + ",\"zero_stock_days\":" +
         std::to_string(o.zero_stock_days) + ",\"series_days\":" + std::to_string(o.days) +
         ",\"avg_on_hand_units\":" + Num(AverageUnits(o)) + ",\"avg_on_hand_value\":" +
         Num(o.days ? o.on_hand_value / static_cast<double>(o.days) : 0) + ",\"turns\":" +
         Num(Turns(o)) + ",\"orders\":" + std::to_string(o.orders) + ",\"alerts\":" +
         std::to_string(o.alerts) + ",\"alerts_came_true\":" + std::to_string(o.alerts_true) +
         ",\"alert_precision\":" + Num(o.alerts ? double(o.alerts_true) / o.alerts : NAN) +
         ",\"stockout_episodes\":" + std::to_string(o.episodes) + ",\"episodes_warned\":" +
         std::to_string(o.episodes_warned) + ",\"alert_recall\":" +
         Num(o.episodes ? double(o.episodes_warned) / o.episodes : NAN) +
         ",\"open_alerts_per_20_series\":" + Num(OpenPer20(o)) + "}";
}

}  // namespace

std::string TextTable(const std::vector<PolicyRun>& runs) {
  std::string s =
      "policy            stockout%  fill%   zero-stock%  avg units  avg value    turns  orders  "
      "A%     B%     C%     targets(A<2 B<5 C<10)  alert prec  recall  open/20\n";
  for (const auto& r : runs) {
    const Outcome& o = r.total;
    char line[512];
    auto cls = [&](char c) {
      auto it = r.by_class.find(c);
      return it == r.by_class.end() ? NAN : StockoutRate(it->second) * 100;
    };
    bool met = true;
    for (char c : {'A', 'B', 'C'}) {
      auto it = r.by_class.find(c);
      if (it != r.by_class.end() && it->second.demand > 0 && StockoutRate(it->second) >= Target(c))
        met = false;
    }
    std::snprintf(line, sizeof line,
                  "%-17s %8.2f  %6.2f  %11.2f  %9.1f  %9.1f  %7.1f  %6lld  %5.2f  %5.2f  %5.2f  "
                  "%-22s %10s  %6s  %7s\n",
                  Label(r).c_str(), StockoutRate(o) * 100, (1 - StockoutRate(o)) * 100,
                  o.days ? 100.0 * o.zero_stock_days / o.days : 0, AverageUnits(o),
                  o.days ? o.on_hand_value / o.days : 0, Turns(o), (long long)o.orders, cls('A'),
                  cls('B'), cls('C'), met ? "met" : "missed",
                  o.alerts ? F("%.1f%%", 100.0 * o.alerts_true / o.alerts).c_str() : "-",
                  o.episodes ? F("%.1f%%", 100.0 * o.episodes_warned / o.episodes).c_str() : "-",
                  o.days ? F("%.2f", OpenPer20(o)).c_str() : "-");
    s += line;
  }
  return s;
}

std::string Csv(const std::vector<PolicyRun>& runs) {
  std::string s =
      "policy,service_level,class,stockout_rate,fill_rate,zero_stock_days,series_days,"
      "avg_on_hand_units,avg_on_hand_value,turns,orders,demand,lost,alerts,alerts_came_true,"
      "stockout_episodes,episodes_warned,alert_days\n";
  auto row = [&](const PolicyRun& r, const std::string& cls, const Outcome& o) {
    s += r.name + "," + (r.service > 0 ? Num(r.service) : "class") + "," + cls + "," +
         Num(StockoutRate(o)) + "," + Num(1 - StockoutRate(o)) + "," +
         std::to_string(o.zero_stock_days) + "," + std::to_string(o.days) + "," +
         Num(AverageUnits(o)) + "," + Num(o.days ? o.on_hand_value / o.days : 0) + "," +
         Num(Turns(o)) + "," + std::to_string(o.orders) + "," + Num(o.demand) + "," +
         Num(o.lost) + "," + std::to_string(o.alerts) + "," + std::to_string(o.alerts_true) +
         "," + std::to_string(o.episodes) + "," + std::to_string(o.episodes_warned) + "," +
         std::to_string(o.alert_days) + "\n";
  };
  for (const auto& r : runs) {
    row(r, "all", r.total);
    for (const auto& [c, o] : r.by_class) row(r, std::string(1, c), o);
  }
  return s;
}

std::string Json(const std::vector<PolicyRun>& runs) {
  std::string s = "[";
  for (const auto& r : runs) {
    if (s.size() > 1) s += ',';
    s += "{\"policy\":" + JsonString(r.name) + ",\"service_level\":" +
         (r.service > 0 ? Num(r.service) : "null") + ",\"total\":" + OutcomeJson(r.total) +
         ",\"by_class\":{";
    bool first = true;
    for (const auto& [c, o] : r.by_class) {
      s += (first ? "" : ",") + JsonString(std::string(1, c)) + ":" + OutcomeJson(o);
      first = false;
    }
    s += "}}";
  }
  return s + "]";
}

std::string OutliersJson(const decide::OutlierTally& tally) {
  return "{\"days\":" + std::to_string(tally.days) +
         ",\"concerned\":" + std::to_string(tally.series) + "}";
}

std::string Svg(const std::vector<PolicyRun>& runs) {
  const double W = 720, H = 440, L = 70, R = 150, T = 30, B = 50;
  double xmax = 0, ymax = 0;
  for (const auto& r : runs) {
    xmax = std::max(xmax, AverageUnits(r.total));
    ymax = std::max(ymax, StockoutRate(r.total) * 100);
  }
  xmax = xmax > 0 ? xmax * 1.05 : 1;
  ymax = ymax > 0 ? ymax * 1.1 : 1;
  auto X = [&](double v) { return L + v / xmax * (W - L - R); };
  auto Y = [&](double v) { return H - B - v / ymax * (H - T - B); };
  static const char* kColors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + F("%.0f", W) +
                  "\" height=\"" + F("%.0f", H) +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" "
                  "height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + F("%.0f", L) + "\" y=\"18\" font-size=\"14\">Stockouts against average "
       "stock (lower left is better)</text>\n";
  s += "<line x1=\"" + F("%.1f", L) + "\" y1=\"" + F("%.1f", H - B) + "\" x2=\"" +
       F("%.1f", W - R) + "\" y2=\"" + F("%.1f", H - B) + "\" stroke=\"black\"/>\n";
  s += "<line x1=\"" + F("%.1f", L) + "\" y1=\"" + F("%.1f", T) + "\" x2=\"" + F("%.1f", L) +
       "\" y2=\"" + F("%.1f", H - B) + "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    double xv = xmax * i / 4, yv = ymax * i / 4;
    s += "<text x=\"" + F("%.1f", X(xv)) + "\" y=\"" + F("%.1f", H - B + 16) +
         "\" text-anchor=\"middle\">" + F("%.0f", xv) + "</text>\n";
    s += "<text x=\"" + F("%.1f", L - 6) + "\" y=\"" + F("%.1f", Y(yv) + 4) +
         "\" text-anchor=\"end\">" + F("%.1f", yv) + "%</text>\n";
  }
  s += "<text x=\"" + F("%.1f", (L + W - R) / 2) + "\" y=\"" + F("%.1f", H - 12) +
       "\" text-anchor=\"middle\">average units on hand per series</text>\n";
  s += "<text x=\"16\" y=\"" + F("%.1f", (T + H - B) / 2) + "\" transform=\"rotate(-90 16 " +
       F("%.1f", (T + H - B) / 2) + ")\" text-anchor=\"middle\">demand unfilled (%)</text>\n";
  std::map<std::string, std::vector<const PolicyRun*>> by_name;
  std::vector<std::string> names;
  for (const auto& r : runs) {
    if (!by_name.count(r.name)) names.push_back(r.name);
    by_name[r.name].push_back(&r);
  }
  for (size_t k = 0; k < names.size(); ++k) {
    const char* col = kColors[k % 5];
    std::vector<const PolicyRun*> sweep;
    for (auto* r : by_name[names[k]])
      if (r->service > 0) sweep.push_back(r);
    std::sort(sweep.begin(), sweep.end(), [](auto* a, auto* b) { return a->service < b->service; });
    if (sweep.size() > 1) {
      s += "<polyline fill=\"none\" stroke=\"" + std::string(col) + "\" stroke-width=\"2\" points=\"";
      for (auto* r : sweep)
        s += F("%.1f", X(AverageUnits(r->total))) + "," + F("%.1f", Y(StockoutRate(r->total) * 100)) + " ";
      s += "\"/>\n";
    }
    for (auto* r : by_name[names[k]]) {
      bool base = r->service == 0;
      s += "<circle cx=\"" + F("%.1f", X(AverageUnits(r->total))) + "\" cy=\"" +
           F("%.1f", Y(StockoutRate(r->total) * 100)) + "\" r=\"" + (base ? "6" : "3") +
           "\" fill=\"" + col + "\"><title>" + Label(*r) + ": " +
           F("%.2f", StockoutRate(r->total) * 100) + "% unfilled, " +
           F("%.1f", AverageUnits(r->total)) + " units</title></circle>\n";
    }
    s += "<text x=\"" + F("%.1f", W - R + 12) + "\" y=\"" + F("%.1f", T + 20 + 18.0 * k) +
         "\" fill=\"" + col + "\">" + names[k] + "</text>\n";
  }
  return s + "</svg>\n";
}

}  // namespace corrente::simulate
