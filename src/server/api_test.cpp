#include "server/api.h"

#include <gtest/gtest.h>

#include "server/cache.h"
#include "server/encoding.h"
#include "server/metrics.h"

namespace corrente::server {
namespace {

Request Req(std::map<std::string, std::string> q) {
  Request r;
  r.method = "GET";
  r.path = "/api/v1/items";
  r.query = std::move(q);
  return r;
}

TEST(Params, NamesEveryBadParameter) {
  Request r =
      Req({{"limit", "5000"}, {"offset", "-1"}, {"start_date", "2024-02-30"}, {"abc_class", "Z"}});
  Params p(r);
  EXPECT_EQ(p.Limit(), 100);
  EXPECT_EQ(p.Offset(), 0);
  p.Date("start_date");
  p.Enum("abc_class", {"A", "B", "C"});
  try {
    p.Check();
    FAIL() << "expected a 400";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 400);
    std::string d = e.what();
    for (const char* n : {"limit", "offset", "start_date", "abc_class"})
      EXPECT_NE(d.find(n), std::string::npos) << n;
  }
}

TEST(Params, AcceptsGoodValues) {
  Request r = Req({{"limit", "1000"}, {"active", "false"}, {"start_date", "2024-02-29"}});
  Params p(r);
  EXPECT_EQ(p.Limit(), 1000);
  EXPECT_EQ(p.Bool("active"), false);
  EXPECT_EQ(p.Date("start_date"), "2024-02-29");
  EXPECT_NO_THROW(p.Check());
}

TEST(Metrics, UnknownMethodsShareOneSeries) {
  Metrics m;
  m.Observe("unmatched", "GET", 404, 0.001);
  for (const char* method : {"FOO", "get", "BREW", "XXXXXXXXXXXXXXXX"})
    m.Observe("unmatched", method, 405, 0.001);
  std::string out = m.Render("");
  EXPECT_NE(out.find("method=\"GET\",status=\"404\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("method=\"OTHER\",status=\"405\"} 4\n"), std::string::npos) << out;
  for (const char* method : {"FOO", "\"get\"", "BREW", "XXXX"})
    EXPECT_EQ(out.find(method), std::string::npos) << method;
}

TEST(Params, TextMustBeUtf8) {
  Request r = Req({{"q", "\xff"}, {"family", "ção"}});
  Params p(r);
  EXPECT_FALSE(p.Text("q"));
  EXPECT_EQ(p.Text("family"), "ção");
  try {
    p.Check();
    FAIL() << "expected a 400";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 400);
    EXPECT_NE(std::string(e.what()).find("q must be UTF-8"), std::string::npos) << e.what();
  }
}

TEST(Json, EscapesControlAndQuotes) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(IsoTimestamp("2026-01-02 03:04:05.5+00"), "2026-01-02T03:04:05.5Z");
  EXPECT_EQ(IsoTimestamp("2026-01-02 03:04:05+05:30"), "2026-01-02T03:04:05+05:30");
  EXPECT_EQ(IsoTimestamp("2026-01-02+00"), "2026-01-02Z");
  EXPECT_EQ(IsoTimestamp("infinity"), "infinity");
}

TEST(Sql, GivenOnlyKeepsEveryParameter) {
  EXPECT_EQ(GivenOnly({}), "");
  EXPECT_EQ(GivenOnly({{true, "f.item_id = $1", "$1::int"}, {false, "f.site_id = $2", "$2::int"}}),
            " AND f.item_id = $1 AND $2::int IS NULL");
  EXPECT_EQ(GivenOnly({{false, "a = $1", "$1::text"}, {true, "(b ILIKE $2 OR c ILIKE $2)", "$2::text"}}),
            " AND $1::text IS NULL AND (b ILIKE $2 OR c ILIKE $2)");
}

TEST(Cache, KeyIgnoresOrderButNotValues) {
  Request a = Req({{"a", "1"}, {"b", "2"}});
  Request b = Req({{"b", "2"}, {"a", "1"}});
  Request c = Req({{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(ResponseCache::Key(a, "VIEWER", false), ResponseCache::Key(b, "VIEWER", false));
  EXPECT_NE(ResponseCache::Key(a, "VIEWER", false), ResponseCache::Key(c, "VIEWER", false));
  EXPECT_NE(ResponseCache::Key(a, "VIEWER", false), ResponseCache::Key(a, "ADMIN", false));
  ResponseCache cache;
  uint64_t g = cache.Generation();
  cache.Invalidate();
  cache.Put("k", Response{200, "application/json", "x", {}}, g);  // stale generation: dropped
  EXPECT_FALSE(cache.Get("k"));
  cache.Put("k", Response{200, "application/json", "x", {}}, cache.Generation());
  EXPECT_TRUE(cache.Get("k"));
}

TEST(Csv, NeutralizesFormulasButNotNumbers) {
  auto cell = [](std::string_view v) {
    std::string out;
    AppendCsvField(out, v);
    return out;
  };
  // OWASP's payloads: each gets a ' in front (and quotes), so no spreadsheet evaluates it.
  EXPECT_EQ(cell("=1+1"), "\"'=1+1\"");
  EXPECT_EQ(cell("+1"), "\"'+1\"");
  EXPECT_EQ(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(cell("-2+3+cmd|' /C calc'!A0"), "\"'-2+3+cmd|' /C calc'!A0\"");
  EXPECT_EQ(cell("-1-1"), "\"'-1-1\"");
  EXPECT_EQ(cell("-A1"), "\"'-A1\"");
  EXPECT_EQ(cell("\t=1+1"), "\"'\t=1+1\"");
  EXPECT_EQ(cell("\r=1+1"), "\"'\r=1+1\"");
  EXPECT_EQ(cell("-"), "\"'-\"");
  // Negative numbers and ordinary text stay as they are.
  for (const char* n : {"-12", "-0.5", "-1e-3", "-2.5E+10", "12", "0", "abc", "a=b", ""})
    EXPECT_EQ(cell(n), n) << n;
  EXPECT_EQ(cell("-1e"), "\"'-1e\"");
  EXPECT_EQ(cell("a,\"b"), "\"a,\"\"b\"");
}

TEST(Encoding, CsvOnlyWhenAcceptedWithANonZeroQ) {
  Request r;
  EXPECT_FALSE(WantsCsv(r));
  for (const char* yes : {"text/csv", "application/json;q=0.5, text/csv", "TEXT/CSV; q=0.1",
                          "text/csv; charset=utf-8"}) {
    r.headers["accept"] = yes;
    EXPECT_TRUE(WantsCsv(r)) << yes;
  }
  for (const char* no : {"text/csv;q=0", "text/csv; q=0.0, application/json", "text/csvx",
                         "application/json", "*/*"}) {
    r.headers["accept"] = no;
    EXPECT_FALSE(WantsCsv(r)) << no;
  }
  r.headers["accept"] = "text/csv;q=0";
  r.query["format"] = "csv";  // the parameter decides
  EXPECT_TRUE(WantsCsv(r));
}

TEST(Encoding, GzipRoundTripsAndNegotiates) {
  std::string body(5000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(Gunzip(Gzip(body)), body);
  EXPECT_EQ(Gunzip(Gzip("")), "");
  EXPECT_THROW(Gunzip("not gzip"), std::runtime_error);

  Request r;
  EXPECT_FALSE(AcceptsGzip(r));
  for (const char* yes : {"gzip", "deflate, gzip", "GZIP;q=0.5", "br, *", "x-gzip"}) {
    r.headers["accept-encoding"] = yes;
    EXPECT_TRUE(AcceptsGzip(r)) << yes;
  }
  for (const char* no : {"identity", "gzip;q=0", "deflate, br", "gzipx"}) {
    r.headers["accept-encoding"] = no;
    EXPECT_FALSE(AcceptsGzip(r)) << no;
  }
  EXPECT_EQ(GzipEtag("\"abc\""), "\"abc-gz\"");
  EXPECT_EQ(GzipEtag("W/\"abc\""), "W/\"abc-gz\"");

  Response res{200, "application/json", body, {{"ETag", "\"e\""}}};
  Precompress(res);
  ASSERT_TRUE(res.gzip_body);
  Response copy = res;
  r.headers["accept-encoding"] = "gzip";
  Negotiate(r, copy, false);
  EXPECT_EQ(Gunzip(copy.Body()), body);
  EXPECT_EQ(copy.headers[0].second, "\"e-gz\"");
  EXPECT_EQ(res.Body(), body);  // the shared plain body is untouched

  GzipStream zs;
  std::string streamed;
  zs.Add(body.substr(0, 3000), false, streamed);
  size_t first = streamed.size();
  zs.Add(body.substr(3000), false, streamed);
  zs.Add("", true, streamed);
  EXPECT_GT(first, 0u);  // flushed: the first piece is decodable before the rest exists
  EXPECT_EQ(Gunzip(streamed), body);

  Response png{200, "image/png", body};
  Negotiate(r, png, true);
  EXPECT_EQ(png.Body(), body);  // not a compressible type
}

}  // namespace
}  // namespace corrente::server
