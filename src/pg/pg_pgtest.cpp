#include <gtest/gtest.h>

#include <thread>

#include "pg/copy.h"
#include "pg/pool.h"
#include "testlib/test_db.h"

namespace corrente::pg {
namespace {

using testing::TestDsn;

TEST(Connection, ParametersTravelAsValuesNotSql) {
  auto c = Connection::Open(TestDsn());
  std::string evil = "x'); DROP TABLE pg_class; --";
  auto r = c.Execute("SELECT $1::text, $2::int + 1, $3::float8, $4::bool, $5::text IS NULL", evil, 41, 2.5,
                     true, nullptr);
  EXPECT_EQ(r.GetString(0, 0), evil);
  EXPECT_EQ(r.GetInt(0, 1), 42);
  EXPECT_DOUBLE_EQ(r.GetDouble(0, 2), 2.5);
  EXPECT_TRUE(r.GetBool(0, 3));
  EXPECT_TRUE(r.GetBool(0, 4));
  EXPECT_EQ(c.QuoteIdentifier("we\"ird"), "\"we\"\"ird\"");
}

TEST(Connection, PreparedStatements) {
  auto c = Connection::Open(TestDsn());
  c.Prepare("add", "SELECT $1::int + $2::int");
  EXPECT_EQ(c.ExecPrepared("add", {"2", "3"}).GetInt(0, 0), 5);
  EXPECT_EQ(c.ExecPrepared("add", {"-2", "3"}).GetInt(0, 0), 1);
}

TEST(Connection, PipelineRunsStatementsInOrderAndRecoversFromErrors) {
  auto c = Connection::Open(TestDsn());
  c.Prepare("p_begin", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  c.Prepare("p_add", "SELECT $1::int + $2::int");
  c.Prepare("p_div", "SELECT 1 / $1::int");
  c.Prepare("p_commit", "COMMIT");
  auto r = c.ExecPipeline({{"p_begin", {}}, {"p_add", {"2", "3"}}, {"p_add", {"4", "5"}}, {"p_commit", {}}});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].GetInt(0, 0), 5);
  EXPECT_EQ(r[2].GetInt(0, 0), 9);
  try {
    c.ExecPipeline({{"p_begin", {}}, {"p_div", {"0"}}, {"p_add", {"1", "1"}}, {"p_commit", {}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.SqlState(), "22012");  // the first failure, not the skipped statements
  }
  EXPECT_EQ(PQtransactionStatus(c.Raw()), PQTRANS_IDLE);  // the aborted transaction was ended
  EXPECT_EQ(c.ExecPrepared("p_add", {"1", "1"}).GetInt(0, 0), 2);
}

TEST(Connection, ErrorsCarrySqlStateAndRetryability) {
  auto c = Connection::Open(TestDsn());
  try {
    c.ExecScript("SELECT * FROM no_such_table");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.SqlState(), "42P01");
    EXPECT_FALSE(e.Retryable());
  }
  try {
    c.ExecScript("SELECT 1/0");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Kind(), ErrorKind::kData);
  }
  // The connection is still usable afterwards.
  EXPECT_EQ(c.ExecScript("SELECT 7").GetInt(0, 0), 7);
}

TEST(Connection, BadDsnNamesHostPortAndReason) {
  try {
    Connection::Open("postgresql://nobody:wrong@127.0.0.1:1/db?connect_timeout=2");
    FAIL();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_TRUE(e.Retryable());
    EXPECT_NE(msg.find("127.0.0.1:1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("refused"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wrong"), std::string::npos) << "password leaked: " << msg;
  }
}

TEST(Transaction, RollsBackInDestructor) {
  testing::ScratchDatabase db(false);
  auto c = db.Connect();
  c.ExecScript("CREATE TABLE t (id int PRIMARY KEY)");
  {
    Transaction tx(c);
    c.ExecScript("INSERT INTO t VALUES (1)");
  }
  EXPECT_EQ(c.ExecScript("SELECT count(*) FROM t").GetInt(0, 0), 0);
  {
    Transaction tx(c);
    c.ExecScript("INSERT INTO t VALUES (2)");
    tx.Commit();
  }
  EXPECT_EQ(c.ExecScript("SELECT count(*) FROM t").GetInt(0, 0), 1);
  // A failed statement aborts the transaction; COMMIT then reports the rollback.
  Transaction tx(c);
  EXPECT_THROW(c.ExecScript("INSERT INTO t VALUES (2)"), Error);
  EXPECT_THROW(tx.Commit(), Error);
}

TEST(Copy, BinaryRoundTripOfEveryType) {
  testing::ScratchDatabase db(false);
  auto c = db.Connect();
  c.ExecScript("CREATE TABLE t (i2 int2, i4 int4, i8 int8, f8 float8, b bool, s text, j jsonb, d date,"
               " ts timestamptz, n numeric(18,4))");
  {
    CopyWriter w(c, "COPY t FROM STDIN (FORMAT binary)");
    for (int i = 0; i < 5000; ++i) {
      w.StartRow(10);
      w.Int16(static_cast<int16_t>(i % 100));
      w.Int32(i);
      w.Int64(int64_t{1} << 40 | i);
      w.Float8(i * 0.5);
      w.Bool(i % 2 == 0);
      if (i == 3) w.Null(); else w.Text("çãõ ✓ " + std::to_string(i));
      w.Jsonb(R"({"k": )" + std::to_string(i) + "}");
      w.Date(19723 + i % 366);  // 2024-01-01 onwards
      w.Timestamp(int64_t{1704067200} * 1000000 + i);
      w.Numeric(-i * 1.25, 4);
    }
    EXPECT_EQ(w.Finish(), 5000);
  }
  auto r = c.ExecScript("SELECT s, j->>'k', d::text, n::text, ts AT TIME ZONE 'UTC' FROM t WHERE i4 = 7");
  EXPECT_EQ(r.GetString(0, 0), "çãõ ✓ 7");
  EXPECT_EQ(r.GetString(0, 1), "7");
  EXPECT_EQ(r.GetString(0, 2), "2024-01-08");
  EXPECT_EQ(r.GetString(0, 3), "-8.7500");
  EXPECT_EQ(r.GetString(0, 4), "2024-01-01 00:00:00.000007");
  EXPECT_EQ(c.ExecScript("SELECT count(*) FROM t WHERE s IS NULL").GetInt(0, 0), 1);

  CopyReader rd(c, "COPY (SELECT i4, i8, f8, s, d, n FROM t ORDER BY i4) TO STDOUT (FORMAT binary)");
  int rows = 0;
  while (rd.Next()) {
    ASSERT_EQ(rd.Fields(), 6);
    EXPECT_EQ(rd.Int32(0), rows);
    EXPECT_EQ(rd.Int64(1), int64_t{1} << 40 | rows);
    EXPECT_DOUBLE_EQ(rd.Float8(2), rows * 0.5);
    EXPECT_EQ(rd.IsNull(3), rows == 3);
    EXPECT_EQ(rd.Date(4), 19723 + rows % 366);
    EXPECT_DOUBLE_EQ(rd.Numeric(5), -rows * 1.25);
    ++rows;
  }
  EXPECT_EQ(rows, 5000);
  EXPECT_EQ(c.ExecScript("SELECT 1").GetInt(0, 0), 1);  // connection usable after COPY
}

TEST(Copy, RefusedRowAbortsTheWholeCopy) {
  testing::ScratchDatabase db(false);
  auto c = db.Connect();
  c.ExecScript("CREATE TABLE t (id int4 PRIMARY KEY)");
  CopyWriter w(c, "COPY t FROM STDIN (FORMAT binary)");
  for (int i : {1, 2, 2}) {
    w.StartRow(1);
    w.Int32(i);
  }
  EXPECT_THROW(w.Finish(), Error);
  EXPECT_EQ(c.ExecScript("SELECT count(*) FROM t").GetInt(0, 0), 0);
}

TEST(Notify, ListenReceivesPayload) {
  auto listener = Connection::Open(TestDsn());
  auto sender = Connection::Open(TestDsn());
  listener.Listen("corrente_test");
  EXPECT_FALSE(listener.WaitNotification(std::chrono::milliseconds(50)));
  sender.Notify("corrente_test", "run-42");
  auto n = listener.WaitNotification(std::chrono::seconds(5));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->channel, "corrente_test");
  EXPECT_EQ(n->payload, "run-42");
}

TEST(Pool, BoundedAndReusesConnections) {
  Pool pool(TestDsn(), 2);
  {
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    EXPECT_EQ(pool.Open(), 2u);
    EXPECT_THROW(pool.Acquire(std::chrono::milliseconds(50)), Error);
  }
  EXPECT_EQ(pool.Idle(), 2u);
  auto c = pool.Acquire();
  EXPECT_EQ(c->ExecScript("SELECT 1").GetInt(0, 0), 1);
  // A connection returned mid-transaction is discarded, not reused.
  c->ExecScript("BEGIN");
}

}  // namespace
}  // namespace corrente::pg
