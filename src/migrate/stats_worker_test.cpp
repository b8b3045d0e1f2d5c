#include "migrate/stats_worker.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "migrate/canon.h"
#include "migrate/values.h"

namespace corrente::migrate {
namespace {

TablePlan Keyed() {
  TablePlan t;
  t.name = "t";
  ColumnPlan id;
  id.name = "id";
  id.type = PgType::kBigInt;
  ColumnPlan n;
  n.name = "n";
  n.type = PgType::kNumeric;
  n.source_index = 1;
  ColumnPlan s;
  s.name = "s";
  s.type = PgType::kText;
  s.source_index = 2;
  t.columns = {id, n, s};
  t.primary_key = {"id"};
  t.source.primary_key = {"id"};
  return t;
}

TargetValue Converted(const ColumnPlan& c, const std::string& text) {
  SourceValue v;
  v.kind = SourceValue::Kind::kText;
  v.s = text;
  TargetValue tv;
  std::string note;
  EXPECT_FALSE(ConvertValue(c, v, {}, &tv, &note));
  return tv;
}

// Row i: its key, a decimal (NULL every 7th row) and a text, some of them over 300 kB so
// that batches are handed on by size as well as by count.
std::vector<TargetValue> Row(const TablePlan& t, int i) {
  std::vector<TargetValue> r = {Converted(t.columns[0], std::to_string(i)),
                                Converted(t.columns[1], std::to_string(i * 37 % 1000) + ".25"),
                                Converted(t.columns[2], i % 500 == 0 ? std::string(300000, 'x')
                                                                     : "row " + std::to_string(i))};
  if (i % 7 == 0) r[1] = TargetValue{}, r[1].null = true;
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
    FillRow(t, Row(t, i), &row);
    Accumulate(t, row, &inline_stats);
    inline_hash[0]->Add(row);
  }
  std::atomic<int64_t> cpu_us{0};
  {
    StatsWorker w(t, &worker_stats, worker_hash[0].get(), &cpu_us);
    std::vector<TargetValue> vals;
    for (int i = 1; i <= kRows; ++i) {
      vals = Row(t, i);
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
      vals = Row(t, i);
      stats_only.Add(vals);
      vals = Row(t, i);
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
