#include "migrate/stats_worker.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "migrate/canon.h"

namespace corrente::migrate {
namespace {

// id bigint (the key), n numeric, s text.
TablePlan Keyed() {
  TablePlan t;
  t.name = "t";
  const std::pair<const char*, PgType> cols[] = {
      {"id", PgType::kBigInt}, {"n", PgType::kNumeric}, {"s", PgType::kText}};
  for (const auto& [name, type] : cols) {
    t.columns.emplace_back();
    t.columns.back().name = name;
    t.columns.back().type = type;
    t.columns.back().source_index = static_cast<int>(t.columns.size()) - 1;
  }
  t.primary_key = t.source.primary_key = {"id"};
  return t;
}

// Row i as the conversion leaves it: its key, a decimal (NULL every 7th row) and a text,
// some over 300 kB so that batches are handed on by size as well as by count.
std::vector<TargetValue> Row(int i) {
  std::vector<TargetValue> r(3);
  r[0].null = false, r[0].i = i;
  r[1].null = i % 7 == 0;
  if (!r[1].null) r[1].s = std::to_string(i * 37 % 1000) + ".25";
  r[2].null = false;
  r[2].s = i % 500 == 0 ? std::string(300000, 'x') : "row " + std::to_string(i);
  return r;
}

TEST(StatsWorker, SameStatsAndManifestAsCountingInline) {
  ASSERT_GE(sodium_init(), 0);
  auto t = Keyed();
  constexpr int kRows = 5000;
  SideStats inline_stats = EmptyStats(t), worker_stats = EmptyStats(t);
  std::vector<std::unique_ptr<LoadHasher>> inline_hash, worker_hash;
  inline_hash.push_back(std::make_unique<LoadHasher>(t));
  worker_hash.push_back(std::make_unique<LoadHasher>(t));
  CanonRow row;
  for (int i = 1; i <= kRows; ++i) {
    FillRow(t, Row(i), &row);
    Accumulate(t, row, &inline_stats);
    inline_hash[0]->Add(row);
  }
  std::atomic<int64_t> cpu_us{0};
  {
    StatsWorker w(t, &worker_stats, worker_hash[0].get(), &cpu_us);
    std::vector<TargetValue> vals;
    for (int i = 1; i <= kRows; ++i) {
      vals = Row(i);
      w.Add(vals);  // takes the row, leaves a spent one
    }
    w.Finish();
  }
  EXPECT_EQ(worker_stats.rows, kRows);
  EXPECT_EQ(worker_stats.checksum, inline_stats.checksum);
  for (size_t c = 0; c < t.columns.size(); ++c) {
    EXPECT_EQ(worker_stats.columns[c].nulls, inline_stats.columns[c].nulls) << c;
    EXPECT_EQ(worker_stats.columns[c].min, inline_stats.columns[c].min) << c;
    EXPECT_EQ(worker_stats.columns[c].max, inline_stats.columns[c].max) << c;
    EXPECT_EQ(worker_stats.columns[c].sum, inline_stats.columns[c].sum) << c;
  }
  EXPECT_EQ(worker_stats.columns[1].nulls, kRows / 7);
  auto a = CombineLoad(t, inline_hash), b = CombineLoad(t, worker_hash);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->rows, kRows);
  EXPECT_EQ(b->sha256, a->sha256);
}

TEST(StatsWorker, StatsOnlyOrHashOnly) {
  ASSERT_GE(sodium_init(), 0);
  auto t = Keyed();
  SideStats s = EmptyStats(t);
  std::vector<std::unique_ptr<LoadHasher>> h;
  h.push_back(std::make_unique<LoadHasher>(t));
  {
    StatsWorker stats_only(t, &s, nullptr, nullptr);
    StatsWorker hash_only(t, nullptr, h[0].get(), nullptr);
    std::vector<TargetValue> vals;
    for (int i = 1; i <= 10; ++i) {
      vals = Row(i);
      stats_only.Add(vals);
      vals = Row(i);
      hash_only.Add(vals);
    }
  }  // the destructors finish
  EXPECT_EQ(s.rows, 10);
  auto e = CombineLoad(t, h);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rows, 10);
}

}  // namespace
}  // namespace corrente::migrate
