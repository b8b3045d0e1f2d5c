#include "migrate/manifest.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>

namespace corrente::migrate {
namespace {

TablePlan Keyed(PgType key_type = PgType::kBigInt) {
  TablePlan t;
  t.name = "t";
  ColumnPlan id;
  id.name = "id";
  id.type = key_type;
  ColumnPlan s;
  s.name = "s";
  s.type = PgType::kText;
  s.source_index = 1;
  t.columns = {id, s};
  t.primary_key = {"id"};
  t.source.primary_key = {"id"};
  return t;
}

CanonRow Row(int id) {
  CanonRow r;
  r.Begin()->append(std::to_string(id));
  r.End();
  r.Begin()->append("row " + std::to_string(id));
  r.End();
  return r;
}

std::unique_ptr<LoadHasher> Part(const TablePlan& t, int from, int to) {
  auto h = std::make_unique<LoadHasher>(t);
  for (int i = from; i <= to; ++i) h->Add(Row(i));
  return h;
}

// A table loaded whole: rows from..to in one part.
std::optional<ManifestEntry> Whole(const TablePlan& t, int from, int to) {
  std::vector<std::unique_ptr<LoadHasher>> parts;
  parts.push_back(Part(t, from, to));
  return CombineLoad(t, parts);
}

std::string Sha(const std::string& bytes) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return std::string(reinterpret_cast<char*>(d), sizeof d);
}
std::string Hex(const std::string& bin) {
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  return sodium_bin2hex(hex, sizeof hex, reinterpret_cast<const unsigned char*>(bin.data()),
                        bin.size());
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    setenv("CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS", "3", 1);
  }
  void TearDown() override { unsetenv("CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS"); }
};

TEST_F(ManifestTest, OnePartSplitsEveryRangeRowsAndHashesTheRangeDigests) {
  auto e = Whole(Keyed(), 1, 7);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rows, 7);
  ASSERT_EQ(e->ranges.size(), 3u);  // 3 + 3 + 1
  EXPECT_EQ(e->ranges[0].upto, "[\"3\"]");
  EXPECT_EQ(e->ranges[1].upto, "[\"6\"]");
  EXPECT_EQ(e->ranges[2].upto, "");
  // Recomputed from the format alone: each range the SHA-256 of its rows' bytes, the table
  // the SHA-256 of the range digests.
  std::string digests;
  for (auto [from, to] : {std::pair{1, 3}, {4, 6}, {7, 7}}) {
    std::string bytes;
    for (int i = from; i <= to; ++i) bytes += Row(i).Bytes();
    digests += Sha(bytes);
  }
  EXPECT_EQ(e->ranges[1].sha256, Hex(digests.substr(32, 32)));
  EXPECT_EQ(e->sha256, Hex(Sha(digests)));
}

TEST_F(ManifestTest, AFewRowsHaveNoRangesAndTheRowsHash) {
  auto e = Whole(Keyed(), 1, 2);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->ranges.empty());
  EXPECT_EQ(e->sha256, Hex(Sha(std::string(Row(1).Bytes()) + std::string(Row(2).Bytes()))));
}

TEST_F(ManifestTest, PartsCloseARangeAtTheirEndAndTheLastIsOpen) {
  auto t = Keyed();
  std::vector<std::unique_ptr<LoadHasher>> parts;
  parts.push_back(Part(t, 1, 4));   // ranges up to 3, then 4
  parts.push_back(Part(t, 5, 5));   // up to 5
  parts.push_back(Part(t, 6, 5));   // no rows: no range
  parts.push_back(Part(t, 6, 8));   // to the end
  auto e = CombineLoad(t, parts);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rows, 8);
  std::vector<std::string> upto;
  int64_t rows = 0;
  for (const auto& r : e->ranges) upto.push_back(r.upto), rows += r.rows;
  EXPECT_EQ(upto, (std::vector<std::string>{"[\"3\"]", "[\"4\"]", "[\"5\"]", ""}));
  EXPECT_EQ(rows, 8);
  // Written and read back unchanged.
  std::string schema;
  auto back = ParseManifest(RenderManifest("s", {*e}), &schema);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].sha256, e->sha256);
  EXPECT_EQ(back[0].ranges.size(), 4u);
}

TEST_F(ManifestTest, RowsOrPartsOutOfKeyOrderAreNotUsed) {
  auto t = Keyed();
  std::vector<std::unique_ptr<LoadHasher>> parts;
  parts.push_back(std::make_unique<LoadHasher>(t));
  parts[0]->Add(Row(2));
  parts[0]->Add(Row(1));
  EXPECT_FALSE(parts[0]->Ok());
  EXPECT_FALSE(CombineLoad(t, parts));
  parts.clear();
  parts.push_back(Part(t, 5, 6));
  parts.push_back(Part(t, 6, 5));  // empty
  parts.push_back(Part(t, 1, 4));
  EXPECT_FALSE(CombineLoad(t, parts));
  parts.clear();
  parts.push_back(nullptr);  // PostgreSQL refused a row in this part
  EXPECT_FALSE(CombineLoad(t, parts));
}

TEST_F(ManifestTest, TextKeysInByteOrderNumbersByValue) {
  EXPECT_TRUE(Whole(Keyed(), 9, 10));  // "9" < "10" as numbers, not as text
  EXPECT_FALSE(Whole(Keyed(PgType::kText), 9, 10));
}

TEST_F(ManifestTest, WithoutAKeyPartsCombineInAnyOrder) {
  auto t = Keyed();
  t.primary_key.clear();
  t.source.primary_key.clear();
  std::vector<std::unique_ptr<LoadHasher>> one, two;
  one.push_back(Part(t, 1, 5));
  two.push_back(Part(t, 4, 5));
  two.push_back(Part(t, 1, 3));
  auto a = CombineLoad(t, one), b = CombineLoad(t, two);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(b->rows, 5);
  EXPECT_TRUE(b->ranges.empty());
}

TEST_F(ManifestTest, LoadOrderOnlyForKeysWhoseTextSortsAsTheirType) {
  EXPECT_EQ(LoadOrder(Keyed()), std::vector<std::string>{"id"});
  EXPECT_TRUE(LoadOrder(Keyed(PgType::kVarchar)));
  EXPECT_FALSE(LoadOrder(Keyed(PgType::kDate)));
}

}  // namespace
}  // namespace corrente::migrate
