#include "simulate/replay.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "decide/alerts.h"
#include "decide/policy.h"
#include "decide/priority.h"
#include "decide/recommend.h"
#include "forecast/forecast.h"

namespace corrente::simulate {
namespace {

// splitmix64: a stream per (seed, item, site), independent of the policy and of threads.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void Outcome::Add(const Outcome& o) {
  demand += o.demand;
  served += o.served;
  lost += o.lost;
  backlog_end += o.backlog_end;
  start_units += o.start_units;
  received += o.received;
  end_units += o.end_units;
  on_hand_days += o.on_hand_days;
  on_hand_value += o.on_hand_value;
  served_cost += o.served_cost;
  days += o.days;
  zero_stock_days += o.zero_stock_days;
  alert_days += o.alert_days;
  orders += o.orders;
  alerts += o.alerts;
  alerts_true += o.alerts_true;
  episodes += o.episodes;
  episodes_warned += o.episodes_warned;
}

double ServiceFor(decide::PolicyMethod method, char abc, const ReplayOptions& opt) {
  if (opt.service_override > 0) return opt.service_override;
  double per = abc == 'A' ? opt.service_scale_a : abc == 'B' ? opt.service_scale_b : opt.service_scale_c;
  if (per > 0) return per;
  // Cycle service for spec, normal and forecast; fill rate for empirical.
  return method == decide::PolicyMethod::kEmpirical ? decide::FillRateForClass(abc)
                                                     : decide::ServiceLevelForClass(abc);
}

Outcome Replay(const SimSeries& s, decide::PolicyMethod method, const ReplayOptions& opt) {
  Outcome out;
  const int n = static_cast<int>(s.demand.size());
  const int start = std::clamp(s.start >= 0 ? s.start : opt.start, 0, n);
  const int end = std::clamp(s.end >= 0 ? s.end : opt.end, start, n);
  std::mt19937_64 rng(Mix(opt.seed ^ Mix((static_cast<uint64_t>(static_cast<uint32_t>(s.item)) << 32) |
                                         static_cast<uint32_t>(s.site))));
  std::vector<double> arrivals(static_cast<size_t>(end - start) + 1, 0.0);
  std::vector<double> lead_known;  // lead times known on the review day
  size_t lead_next = 0;
  double on_hand = 0, on_order = 0, backlog = 0;
  decide::PolicyLevels levels;
  decide::PolicyInput in;
  std::vector<double> fmean, fsd;  // the forecast method's path, kept alive for `in`
  std::vector<double> path;        // the alert rule's forecast path: the levels' mean daily demand
  in.review_days = opt.review_days;
  in.service_level = ServiceFor(method, s.abc, opt);
  auto refit = [&](int t) {
    while (lead_next < s.leads.size() && s.leads[lead_next].known_from < t)
      lead_known.push_back(s.leads[lead_next++].days);
    in.history = std::span<const double>(s.demand).first(static_cast<size_t>(t));
    double lead = opt.default_lead, lead_std = 0;
    if (!lead_known.empty()) {
      decide::MeanStd ms = decide::ComputeMeanStd(lead_known);
      lead = ms.mean;
      lead_std = ms.std;
    }
    in.lead_time = lead;
    in.lead_time_std = lead_std;
    // The most recent 100, as the pipeline takes them.
    size_t k = std::min<size_t>(lead_known.size(), 100);
    in.lead_samples = std::span<const double>(lead_known).last(k);
    if (method == decide::PolicyMethod::kForecast) {
      // The pipeline's forecaster on the history it would have had (its last 560 days).
      forecast::ForecastOptions fo;
      double longest = lead;
      for (double l : in.lead_samples) longest = std::max(longest, l);
      fo.horizon = std::clamp(static_cast<int>(std::ceil(longest + opt.review_days)) + 2, 1, 366);
      fo.intervals = true;
      auto f = forecast::ForecastAuto(in.history.last(std::min<size_t>(in.history.size(), 560)), fo);
      fmean = f.mean;
      fsd.assign(f.mean.size(), 0.0);
      for (size_t i = 0; i < f.mean.size() && i < f.hi80.size(); ++i)
        fsd[i] = std::max(0.0, (f.hi80[i] - f.lo80[i]) / (2 * 1.2815515655446004));
      in.forecast_mean = fmean;
      in.forecast_sd = fsd;
    }
    levels = decide::ComputeLevels(method, in);
    path.assign(static_cast<size_t>(std::ceil(levels.lead)) + 2, levels.mean);
  };
  // The starting stock: given, else the spec rule's order-up-to on the day before.
  if (s.initial_stock >= 0) {
    on_hand = s.initial_stock;
  } else {
    decide::PolicyInput spec = in;
    spec.history = std::span<const double>(s.demand).first(static_cast<size_t>(start));
    spec.lead_time = opt.default_lead;
    if (!s.leads.empty()) spec.lead_time = s.leads.back().days;
    spec.service_level = decide::ServiceLevelForClass(s.abc);
    on_hand = std::round(decide::ComputeLevels(decide::PolicyMethod::kSpec, spec).out);
  }
  out.start_units = on_hand;
  for (const auto& [day, qty] : s.in_flight) {
    if (day < start || day >= end || !(qty > 0)) continue;
    arrivals[static_cast<size_t>(day - start)] += qty;
    on_order += qty;
  }
  // Draws: the k-th order of this series gets the k-th draw, whatever the policy.
  std::vector<double> draw_pool;
  for (const LeadTime& l : s.leads) draw_pool.push_back(l.days);
  bool alert_active = false;
  int last_alert_day = INT32_MIN;
  bool short_yesterday = false;
  for (int t = start; t < end; ++t) {
    const size_t ti = static_cast<size_t>(t - start);
    if ((t - start) % std::max(1, opt.refit_every) == 0) refit(t);
    // 1. review
    const double position = on_hand + on_order - backlog;
    if (decide::ShouldOrder(position, levels)) {
      double q = std::ceil(decide::OrderQuantity(levels.out, position, s.min_qty, s.max_qty));
      if (q > 0) {
        double lt = draw_pool.empty()
                        ? opt.default_lead
                        : draw_pool[std::uniform_int_distribution<size_t>(0, draw_pool.size() - 1)(rng)];
        int days = std::max(0, static_cast<int>(std::lround(lt * opt.lead_time_scale)));
        size_t due = ti + static_cast<size_t>(days);
        if (due < arrivals.size()) arrivals[due] += q;  // past the period: never arrives
        on_order += q;
        ++out.orders;
      }
    }
    // 2. receipts
    if (arrivals[ti] > 0) {
      on_hand += arrivals[ti];
      on_order -= arrivals[ti];
      out.received += arrivals[ti];
    }
    // 3. demand
    const double d = std::max(0.0, s.demand[static_cast<size_t>(t)]);
    out.demand += d;
    double today_short = 0;
    if (opt.backorders) {
      double owed = backlog + d;
      double ship = std::min(on_hand, owed);
      on_hand -= ship;
      out.served += ship;
      // Unfilled on the day it was asked for: today's demand beyond what was left after the
      // older backlog.
      today_short = std::max(0.0, d - std::max(0.0, ship - backlog));
      backlog = owed - ship;
    } else {
      double ship = std::min(on_hand, d);
      on_hand -= ship;
      out.served += ship;
      today_short = d - ship;
    }
    out.lost += today_short;
    out.served_cost += (d - today_short) * s.unit_cost;
    // 4. evening: stock measures, episodes, and the alert rule
    ++out.days;
    out.on_hand_days += on_hand;
    out.on_hand_value += on_hand * s.unit_cost;
    if (on_hand <= 0) ++out.zero_stock_days;
    const bool short_today = today_short > 1e-9;
    if (short_today && !short_yesterday) {
      ++out.episodes;
      if (last_alert_day != INT32_MIN && t - last_alert_day <= std::ceil(levels.lead) + 1)
        ++out.episodes_warned;
    }
    short_yesterday = short_today;
    decide::SeriesState st;
    st.levels = levels;
    st.stock = on_hand;
    st.orders.quantity = on_order;
    st.days_to_rupture = decide::DaysToRupture(on_hand, path);
    // What arrives within the lead time counts as available.
    double arriving = 0;
    for (size_t k = ti + 1; k < arrivals.size() && k <= ti + static_cast<size_t>(std::ceil(levels.lead)); ++k)
      arriving += arrivals[k];
    st.expected_short =
        decide::ExpectedShortOverLead(path, levels.std, levels.lead, on_hand + arriving);
    const bool fires = decide::StockoutImminent(st, opt.alert_short_share);
    if (fires) {
      last_alert_day = t;
      ++out.alert_days;
    }
    if (fires && !alert_active) {
      ++out.alerts;
      // Came true: with no new order, demand over the stated window outruns stock + arrivals.
      double avail = on_hand, cum = 0;
      const int window = static_cast<int>(std::ceil(levels.lead));
      bool happened = false;
      for (int k = 1; k <= window && t + k < end; ++k) {
        avail += arrivals[ti + static_cast<size_t>(k)];
        cum += std::max(0.0, s.demand[static_cast<size_t>(t + k)]);
        if (cum > avail + 1e-9) {
          happened = true;
          break;
        }
      }
      if (happened) ++out.alerts_true;
    }
    alert_active = fires;
  }
  out.end_units = on_hand;
  out.backlog_end = backlog;
  return out;
}

}  // namespace corrente::simulate
