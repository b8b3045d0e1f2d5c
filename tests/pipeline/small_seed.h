#pragma once
// The small seeded database the pipeline's PostgreSQL tests run on: 20 items x 3 sites x
// 400 days of demo data ending 2025-03-31, 5 suppliers.
#include "common/dates.h"
#include "pg/pg.h"
#include "seed/generator.h"
#include "seed/loader.h"

namespace corrente::pipeline::small_seed {

inline const int64_t kEndDay = DaysFromCivil({2025, 3, 31});
inline constexpr int kItems = 20, kSites = 3, kDays = 400;

inline void Load(pg::Connection& c) {
  seed::SeedOptions o;
  o.items = kItems;
  o.sites = kSites;
  o.suppliers = 5;
  o.days = kDays;
  o.end_day = kEndDay;
  o.threads = 2;
  seed::Load(c, seed::Generate(o), false, false);
}

}  // namespace corrente::pipeline::small_seed
