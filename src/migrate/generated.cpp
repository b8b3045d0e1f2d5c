#include "migrate/generated.h"

#include <cctype>
#include <cstring>
#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace corrente::migrate {
namespace {

// What an expression computes; arithmetic and the column's type must agree on it. kBool is
// a PostgreSQL boolean (a comparison), which both sources compute as the integer 1/0/NULL.
// kQuotient is MySQL's '/' of exact numbers, cut at 9 decimals as MySQL cuts it: only
// stored as it is (see Fits), never computed with further.
enum class Kind { kInt, kDecimal, kFloat, kText, kBool, kDate, kStamp, kNull, kQuotient };

struct Expr {
  std::string sql;
  Kind kind;
};

struct Untranslatable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Token {
  enum Type { kEnd, kWord, kIdent, kString, kNumber, kPunct } type = kEnd;
  std::string text;
};

bool IsWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

class Parser {
 public:
  Parser(ExprDialect d, std::string_view src, const SourceTable& table,
         const std::vector<ColumnPlan>& columns)
      : d_(d), src_(src), table_(table), columns_(columns) {
    Advance();
  }

  Expr Parse() {
    Expr e = Or();
    if (tok_.type != Token::kEnd) throw Untranslatable("unexpected " + tok_.text);
    return e;
  }

 private:
  void Advance() {
    while (pos_ < src_.size() && std::isspace(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    tok_ = {};
    if (pos_ >= src_.size()) return;
    char c = src_[pos_];
    // A charset introducer before a string (MySQL 8 writes _utf8mb4'x') is dropped.
    if (c == '_' && d_ == ExprDialect::kMysql) {
      size_t j = pos_ + 1;
      while (j < src_.size() && IsWord(src_[j])) ++j;
      if (j < src_.size() && src_[j] == '\'') pos_ = j, c = '\'';
    }
    if (c == '\'') {
      tok_.type = Token::kString;
      for (++pos_;; ++pos_) {
        if (pos_ >= src_.size()) throw Untranslatable("unterminated string");
        if (src_[pos_] == '\\' && d_ == ExprDialect::kMysql)
          throw Untranslatable("a backslash escape in a string");
        if (src_[pos_] == '\'') {
          if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '\'') {
            tok_.text += '\'';
            ++pos_;
            continue;
          }
          ++pos_;
          return;
        }
        tok_.text += src_[pos_];
      }
    }
    if (c == '`' || c == '"' || c == '[') {
      if (c == '"' && d_ == ExprDialect::kMysql) throw Untranslatable("a double-quoted string");
      char close = c == '[' ? ']' : c;
      tok_.type = Token::kIdent;
      for (++pos_;; ++pos_) {
        if (pos_ >= src_.size()) throw Untranslatable("unterminated name");
        if (src_[pos_] == close) {
          if (close != ']' && pos_ + 1 < src_.size() && src_[pos_ + 1] == close) {
            tok_.text += close;
            ++pos_;
            continue;
          }
          ++pos_;
          return;
        }
        tok_.text += src_[pos_];
      }
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && pos_ + 1 < src_.size() &&
         std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])))) {
      tok_.type = Token::kNumber;
      while (pos_ < src_.size() &&
             (std::isdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '.'))
        tok_.text += src_[pos_++];
      if (pos_ < src_.size() && IsWord(src_[pos_]))
        throw Untranslatable("the number " + tok_.text + src_[pos_]);  // 1e3, 0x1F
      return;
    }
    if (IsWord(c)) {
      tok_.type = Token::kWord;
      while (pos_ < src_.size() && IsWord(src_[pos_])) tok_.text += src_[pos_++];
      return;
    }
    tok_.type = Token::kPunct;
    for (const char* op : {"<=>", "||", "<=", ">=", "<>", "!=", "=="})
      if (src_.substr(pos_, std::strlen(op)) == op) {
        tok_.text = op;
        pos_ += std::strlen(op);
        return;
      }
    tok_.text = std::string(1, c);
    ++pos_;
  }
  bool Is(const char* p) const { return tok_.type == Token::kPunct && tok_.text == p; }
  void Expect(const char* p) {
    if (!Is(p)) throw Untranslatable(std::string("expected ") + p);
    Advance();
  }

  bool IsWordTok(const char* w) const { return tok_.type == Token::kWord && Lower(tok_.text) == w; }
  static bool Numeric(Kind k) {
    return k == Kind::kInt || k == Kind::kDecimal || k == Kind::kFloat || k == Kind::kBool;
  }
  static bool Exact(Kind k) { return k == Kind::kInt || k == Kind::kDecimal || k == Kind::kBool; }
  // A comparison used as a number: 1, 0 or NULL, as both sources compute it.
  static Expr Num(const Expr& e) {
    if (e.kind == Kind::kNull) throw Untranslatable("a NULL literal");
    if (e.kind == Kind::kQuotient)
      throw Untranslatable("a quotient of exact numbers ('/') computed with further (MySQL "
                           "cuts it at div_precision_increment digits first)");
    if (!Numeric(e.kind)) throw Untranslatable("arithmetic on a non-number");
    return e.kind == Kind::kBool ? Expr{"(" + e.sql + ")::integer", Kind::kInt} : e;
  }
  // A value used as a condition: a number is true when not 0 (text is not translated: the
  // sources would convert it to a number first).
  static Expr Cond(const Expr& e) {
    if (e.kind == Kind::kBool) return e;
    if (e.kind == Kind::kInt || e.kind == Kind::kDecimal || e.kind == Kind::kFloat)
      return {"(" + e.sql + " <> 0)", Kind::kBool};
    throw Untranslatable("a condition that is not a comparison or a number");
  }
  static Kind Wider(Kind a, Kind b) {
    if (a == Kind::kFloat || b == Kind::kFloat) return Kind::kFloat;
    if (a == Kind::kDecimal || b == Kind::kDecimal) return Kind::kDecimal;
    return Kind::kInt;
  }
  static Expr NumberOp(const Expr& a0, const std::string& op, const Expr& b0) {
    for (Kind k : {a0.kind, b0.kind})
      if (k == Kind::kText)
        throw Untranslatable("'" + op + "' on text (the sources convert it to a number)");
      else if (k == Kind::kQuotient)
        Num({"", k});  // says why
      else if (!Numeric(k) && k != Kind::kNull)
        throw Untranslatable("'" + op + "' on " + KindName(k));
    Expr a = Num(a0), b = Num(b0);
    return {a.sql + " " + op + " " + b.sql, Wider(a.kind, b.kind)};
  }
  // Integer division and remainder: both truncate toward zero, and give NULL for a zero
  // divisor in both sources (PostgreSQL would fail: NULLIF).
  static Expr IntDivide(const Expr& a0, const std::string& op, const Expr& b0) {
    Expr a = Num(a0), b = Num(b0);
    if (a.kind != Kind::kInt || b.kind != Kind::kInt)
      throw Untranslatable("'" + op + "' on other than integers");
    return {"(" + a.sql + (op == "%" || op == "mod" ? " % " : " / ") + "NULLIF(" + b.sql + ", 0))",
            Kind::kInt};
  }
  static Expr Concat(const std::vector<Expr>& parts) {
    std::string sql;
    for (const auto& p : parts) {
      if (p.kind != Kind::kText) throw Untranslatable("concatenation of a number");
      sql += (sql.empty() ? "" : " || ") + p.sql;
    }
    return {"(" + sql + ")", Kind::kText};
  }

  // a OR b, a AND b (`word`), each side a condition; `next` parses the tighter level.
  Expr Logical(const char* word, Expr (Parser::*next)()) {
    Expr e = (this->*next)();
    while (IsWordTok(word)) {
      Advance();
      Expr b = (this->*next)();
      e = {"(" + Cond(e).sql + " " + Upper(word) + " " + Cond(b).sql + ")", Kind::kBool};
    }
    return e;
  }
  Expr Or() { return Logical("or", &Parser::And); }
  Expr And() { return Logical("and", &Parser::Not); }
  Expr Not() {
    if (!IsWordTok("not")) return Comparison();
    Advance();
    return {"(NOT " + Cond(Not()).sql + ")", Kind::kBool};
  }
  // = <> != < <= > >= (SQLite ==, IS [NOT]; MySQL <=>) and IS [NOT] NULL.
  Expr Comparison() {
    size_t collated = nonbinary_;
    Expr a = Sum();
    if (IsWordTok("is")) {
      Advance();
      bool negated = IsWordTok("not");
      if (negated) Advance();
      if (IsWordTok("null")) {
        Advance();
        return {"(" + a.sql + (negated ? " IS NOT NULL)" : " IS NULL)"), Kind::kBool};
      }
      if (d_ != ExprDialect::kSqlite) throw Untranslatable("IS other than IS [NOT] NULL");
      return Compare(a, negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM", Sum(), collated);
    }
    static const std::pair<const char*, const char*> kOps[] = {
        {"=", "="},   {"==", "="},  {"<>", "<>"}, {"!=", "<>"},
        {"<", "<"},   {"<=", "<="}, {">", ">"},   {">=", ">="}, {"<=>", "IS NOT DISTINCT FROM"}};
    for (const auto& [src, pg] : kOps)
      if (Is(src)) {
        if (std::string(src) == "==" && d_ != ExprDialect::kSqlite) break;
        if (std::string(src) == "<=>" && d_ != ExprDialect::kMysql) break;
        Advance();
        return Compare(a, pg, Sum(), collated);
      }
    return a;
  }
  // Compares only where both sources compare the same way: exact numbers with exact numbers
  // (as decimals in both), doubles with doubles, dates with dates, and (SQLite) text whose
  // columns all compare bytes (BINARY, as "C"). MySQL compares text under its collation.
  Expr Compare(const Expr& a, const std::string& op, const Expr& b, size_t collated) {
    if (a.kind == Kind::kNull || b.kind == Kind::kNull) throw Untranslatable("a NULL literal");
    std::string left = a.sql;
    if (Exact(a.kind) && Exact(b.kind)) {
      left = Num(a).sql;
      return {"(" + left + " " + op + " " + Num(b).sql + ")", Kind::kBool};
    }
    if (a.kind != b.kind)
      throw Untranslatable("a comparison of " + KindName(a.kind) + " with " + KindName(b.kind));
    if (a.kind == Kind::kText) {
      if (d_ == ExprDialect::kMysql)
        throw Untranslatable("a comparison of text (MySQL compares it under its collation)");
      if (nonbinary_ > collated)
        throw Untranslatable("a comparison of text with a collation other than BINARY");
      left = "(" + a.sql + ") COLLATE \"C\"";
    }
    return {"(" + left + " " + op + " " + b.sql + ")", Kind::kBool};
  }
  static std::string KindName(Kind k) {
    switch (k) {
      case Kind::kInt: return "an integer";
      case Kind::kDecimal: return "a decimal";
      case Kind::kFloat: return "a double";
      case Kind::kText: return "text";
      case Kind::kBool: return "a comparison";
      case Kind::kDate: return "a date";
      case Kind::kStamp: return "a datetime";
      case Kind::kNull: return "NULL";
      case Kind::kQuotient: return "a quotient of exact numbers";
    }
    return "?";
  }
  Expr Sum() {
    Expr e = Product();
    while (Is("+") || Is("-")) {
      std::string op = tok_.text;
      Advance();
      e = NumberOp(e, op, Product());
    }
    return e;
  }
  Expr Product() {
    Expr e = Concatenation();
    for (;;) {
      if (Is("*")) {
        Advance();
        e = NumberOp(e, "*", Concatenation());
      } else if (Is("%") || (d_ == ExprDialect::kMysql && (IsWordTok("div") || IsWordTok("mod")))) {
        std::string op = Lower(tok_.text);
        Advance();
        e = IntDivide(e, op, Concatenation());
      } else if (Is("/")) {
        Advance();
        e = Divide(e, Concatenation());
      } else {
        return e;
      }
    }
  }
  // '/': SQLite divides integers as integers and anything else as doubles; MySQL divides
  // doubles as doubles, and exact numbers as decimals: the quotient is cut (toward zero)
  // after 9 × k decimals (k ≥ 1 unless div_precision_increment is 0 and the operands have no
  // decimals), then rounded half away from zero to the column's scale when stored. With a
  // scale of at most 8, that is the exact quotient so rounded, whatever k: PostgreSQL
  // computes it exactly as div(a × 10^9, b) × 10^-9 (Fits). A zero divisor gives NULL in both.
  Expr Divide(const Expr& a0, const Expr& b0) {
    Expr a = Num(a0), b = Num(b0);
    if (d_ == ExprDialect::kSqlite && a.kind == Kind::kInt && b.kind == Kind::kInt)
      return IntDivide(a, "/", b);
    if (a.kind == Kind::kFloat || b.kind == Kind::kFloat)
      return {"(" + a.sql + " / NULLIF(" + b.sql + ", 0))", Kind::kFloat};
    if (d_ == ExprDialect::kSqlite)
      throw Untranslatable("division ('/') of a NUMERIC column (SQLite holds it as a double)");
    return {"(div((" + a.sql + ")::numeric * 1000000000, NULLIF((" + b.sql +
                ")::numeric, 0)) * 0.000000001)",
            Kind::kQuotient};
  }
  // SQLite's || binds tighter than * (in MySQL || is OR, which is not translated).
  Expr Concatenation() {
    Expr e = Unary();
    if (!Is("||")) return e;
    if (d_ == ExprDialect::kMysql) throw Untranslatable("'||' (OR in MySQL)");
    std::vector<Expr> parts{e};
    while (Is("||")) {
      Advance();
      parts.push_back(Unary());
    }
    return Concat(parts);
  }
  Expr Unary() {
    if (Is("-")) {
      Advance();
      Expr e = Unary();
      if (!Numeric(e.kind)) throw Untranslatable("'-' on " + KindName(e.kind));
      e = Num(e);
      return {"(- " + e.sql + ")", e.kind};
    }
    return Primary();
  }
  // The result of CASE/IF branches: all text, all dates, all comparisons, or numbers (the
  // wider kind, as both sources compute it); NULL branches take the others' kind.
  static Kind Branches(std::vector<Expr>* r) {
    std::optional<Kind> k;
    for (const auto& e : *r) {
      if (e.kind == Kind::kNull) continue;
      if (!k) {
        k = e.kind;
      } else if (*k != e.kind) {
        if (!Numeric(*k) || !Numeric(e.kind))
          throw Untranslatable("branches of " + KindName(*k) + " and " + KindName(e.kind));
        k = Wider(Num({"", *k}).kind, Num(e).kind);
      }
    }
    if (!k) throw Untranslatable("only NULL branches");
    if (*k != Kind::kBool && Numeric(*k))
      for (auto& e : *r)
        if (e.kind == Kind::kBool) e = Num(e);
    return *k;
  }
  static Expr CaseOf(const std::vector<Expr>& conds, std::vector<Expr> results) {
    Kind k = Branches(&results);
    std::string sql = "CASE";
    for (size_t i = 0; i < conds.size(); ++i)
      sql += " WHEN " + conds[i].sql + " THEN " + results[i].sql;
    if (results.size() > conds.size()) sql += " ELSE " + results.back().sql;
    return {sql + " END", k};
  }
  // CASE [base] WHEN x THEN r ... [ELSE r] END.
  Expr Case() {
    std::optional<Expr> base;
    size_t collated = nonbinary_;
    if (!IsWordTok("when")) base = Or();
    std::vector<Expr> conds, results;
    while (IsWordTok("when")) {
      Advance();
      Expr w = Or();
      conds.push_back(base ? Compare(*base, "=", w, collated) : Cond(w));
      if (!IsWordTok("then")) throw Untranslatable("CASE without THEN");
      Advance();
      results.push_back(Or());
    }
    if (conds.empty()) throw Untranslatable("CASE without WHEN");
    if (IsWordTok("else")) {
      Advance();
      results.push_back(Or());
    }
    if (!IsWordTok("end")) throw Untranslatable("CASE without END");
    Advance();
    return CaseOf(conds, results);
  }
  std::vector<Expr> Args() {
    Expect("(");
    std::vector<Expr> args;
    if (!Is(")")) {
      args.push_back(Or());
      while (Is(",")) {
        Advance();
        args.push_back(Or());
      }
    }
    Expect(")");
    return args;
  }
  Expr Column(const std::string& name) {
    for (const auto& c : columns_) {
      const SourceColumn& sc = table_.columns[c.source_index];
      if (Lower(sc.name) != Lower(name)) continue;
      if (sc.generated) throw Untranslatable("it uses generated column " + name);
      std::string q = Quote(c.name);
      switch (c.type) {
        case PgType::kSmallInt:
        case PgType::kInteger:  // MySQL computes integers as 64-bit
          return {q + "::bigint", Kind::kInt};
        case PgType::kBigInt:
          return {q, Kind::kInt};
        case PgType::kNumeric:
          return {q, Kind::kDecimal};
        case PgType::kDouble:
          if (Lower(sc.declared_type).rfind("float", 0) == 0 && d_ == ExprDialect::kMysql)
            throw Untranslatable("MySQL computes with FLOAT column " + name + "'s 4-byte value");
          return {q, Kind::kFloat};
        case PgType::kText:
        case PgType::kVarchar:
          if (c.collation != "C") ++nonbinary_;
          return {q, Kind::kText};
        case PgType::kBool:  // MySQL tinyint(1) holding 0 and 1 only
          return {q, Kind::kBool};
        case PgType::kDate:
          return {q, Kind::kDate};
        case PgType::kTimestamp:  // MySQL DATETIME (TIMESTAMP is read in a time zone)
          return {q, Kind::kStamp};
        default:
          throw Untranslatable("column " + name + " is " + c.SqlType());
      }
    }
    throw Untranslatable("no column " + name);
  }
  Expr Function(const std::string& fn) {
    std::vector<Expr> a = Args();
    if ((fn == "if" && d_ == ExprDialect::kMysql) || (fn == "iif" && d_ == ExprDialect::kSqlite)) {
      if (a.size() != 3) throw Untranslatable(fn + " without three arguments");
      return CaseOf({Cond(a[0])}, {a[1], a[2]});
    }
    for (const auto& e : a)
      if (e.kind == Kind::kNull) throw Untranslatable("a NULL literal in " + fn);
    if ((fn == "mod") && d_ == ExprDialect::kMysql && a.size() == 2) return IntDivide(a[0], fn, a[1]);
    // MySQL's YEAR/MONTH/DAY and DATE of a DATE or DATETIME column are its calendar fields.
    if (d_ == ExprDialect::kMysql && a.size() == 1 &&
        (a[0].kind == Kind::kDate || a[0].kind == Kind::kStamp)) {
      for (const char* f : {"year", "month", "day"})
        if (fn == f || (fn == "dayofmonth" && std::string(f) == "day"))
          return {"EXTRACT(" + Upper(f) + " FROM " + a[0].sql + ")::bigint", Kind::kInt};
      if (fn == "date") return {"(" + a[0].sql + ")::date", Kind::kDate};
    }
    auto text1 = [&](const char* pg) -> Expr {
      if (a.size() != 1 || a[0].kind != Kind::kText)
        throw Untranslatable(fn + " of other than one text");
      // SQLite changes the case of ASCII letters only, as PostgreSQL does under "C"; MySQL
      // maps each character by Unicode's one-to-one case mapping, as libc's C.UTF-8 does
      // (whatever the target database's collation). Text arguments are atoms or (...).
      std::string arg = a[0].sql;
      if (std::string(pg) == "lower" || std::string(pg) == "upper")
        arg += d_ == ExprDialect::kSqlite ? " COLLATE \"C\"" : " COLLATE \"C.utf8\"";
      return {std::string(pg) + "(" + arg + ")", Kind::kText};
    };
    if (fn == "concat" && d_ == ExprDialect::kMysql && !a.empty()) return Concat(a);
    if (fn == "lower" || fn == "lcase") return text1("lower");
    if (fn == "upper" || fn == "ucase") return text1("upper");
    if (fn == "trim") return text1("btrim");
    if (fn == "ltrim") return text1("ltrim");
    if (fn == "rtrim") return text1("rtrim");
    if (fn == "char_length" || fn == "character_length" ||
        (fn == "length" && d_ == ExprDialect::kSqlite)) {
      if (a.size() != 1 || a[0].kind != Kind::kText) throw Untranslatable(fn + " of a number");
      return {"char_length(" + a[0].sql + ")", Kind::kInt};
    }
    if ((fn == "coalesce" || fn == "ifnull") && a.size() >= 2) {
      std::vector<Expr> r = a;
      Kind k = Branches(&r);
      std::string sql;
      for (const auto& e : r) sql += (sql.empty() ? "" : ", ") + e.sql;
      return {"COALESCE(" + sql + ")", k};
    }
    if (fn == "abs" && a.size() == 1 && Numeric(a[0].kind))
      return {"abs(" + Num(a[0]).sql + ")", Num(a[0]).kind};
    // Half away from zero on exact numbers in both; MySQL rounds doubles otherwise.
    if (fn == "round" && d_ == ExprDialect::kMysql && (a.size() == 1 || a.size() == 2) &&
        (a[0].kind == Kind::kInt || a[0].kind == Kind::kDecimal) &&
        (a.size() == 1 || a[1].kind == Kind::kInt)) {
      return {"round((" + a[0].sql + ")::numeric" + (a.size() == 2 ? ", " + a[1].sql : "") + ")",
              Kind::kDecimal};
    }
    if (d_ == ExprDialect::kSqlite) {
      std::optional<Expr> e = SqliteTime(fn, a);
      if (e) return *e;
    }
    throw Untranslatable("function " + fn + " with these arguments");
  }
  // SQLite's date and time functions of a timestamp or date column that holds ISO text (the
  // value scan saw no numbers, which SQLite would read as julian days). date(), time(),
  // datetime() and strftime's %Y %m %d %H %M %S print the fields as parsed, the seconds cut;
  // unixepoch(), julianday() and %s use SQLite's instant in milliseconds: the seconds as a
  // double, × 1000 + 0.5, cut, which the same double arithmetic reproduces (t). Printed
  // with immutable functions (to_char is not one).
  std::optional<Expr> SqliteTime(const std::string& fn, const std::vector<Expr>& a) {
    static const char* kFns[] = {"date", "datetime", "time", "julianday", "unixepoch", "strftime"};
    if (std::find(std::begin(kFns), std::end(kFns), fn) == std::end(kFns)) return std::nullopt;
    size_t arg = fn == "strftime" ? 1 : 0;
    if (a.size() != arg + 1) throw Untranslatable(fn + " with modifiers or without a value");
    const Expr& x = a[arg];
    if (x.kind != Kind::kStamp && x.kind != Kind::kDate)
      throw Untranslatable(fn + " of other than a DATE or DATETIME column");
    for (const auto& c : columns_)
      if (Quote(c.name) == x.sql && c.numbers_sampled)
        throw Untranslatable(fn + " of column " + c.name +
                             ", which holds numbers (SQLite reads them as julian days)");
    std::string v = x.kind == Kind::kDate ? x.sql + "::timestamp" : x.sql, t = v;
    if (x.kind == Kind::kStamp) {
      std::string sec = "EXTRACT(SECOND FROM " + x.sql + ")";
      t = "(date_trunc('minute', " + x.sql + ") + trunc((floor(" + sec + ")::float8 + (" + sec +
          " - floor(" + sec + "))::float8) * 1000 + 0.5) * interval '1 millisecond')";
    }
    auto field = [&](const char* f, int width) {
      return "lpad(floor(EXTRACT(" + std::string(f) + " FROM " + v + "))::bigint::text, " +
             std::to_string(width) + ", '0')";
    };
    std::string day = field("YEAR", 4) + " || '-' || " + field("MONTH", 2) + " || '-' || " +
                      field("DAY", 2);
    std::string clock = field("HOUR", 2) + " || ':' || " + field("MINUTE", 2) + " || ':' || " +
                        field("SECOND", 2);
    std::string epoch = "EXTRACT(EPOCH FROM " + t + ")";
    if (fn == "date") return Expr{"(" + day + ")", Kind::kText};
    if (fn == "time") return Expr{"(" + clock + ")", Kind::kText};
    if (fn == "datetime") return Expr{"(" + day + " || ' ' || " + clock + ")", Kind::kText};
    if (fn == "unixepoch") return Expr{"floor(" + epoch + ")::bigint", Kind::kInt};
    if (fn == "julianday")
      return Expr{"((" + epoch + " * 1000 + 210866760000000)::float8 / 86400000)", Kind::kFloat};
    // strftime: a literal format of %Y %m %d %H %M %S %s %% and plain characters (%f is
    // printf's rounding of a double: not reproduced).
    const std::string& lit = a[0].sql;  // SqlLiteral's form: quotes doubled
    if (a[0].kind != Kind::kText || lit.size() < 2 || lit.front() != '\'' || lit.back() != '\'')
      throw Untranslatable("strftime of a format that is not a literal");
    std::string f;
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      if (lit[i] == '\'') {
        if (lit[i + 1] != '\'') throw Untranslatable("strftime of a format that is not a literal");
        ++i;
      }
      f += lit[i];
    }
    std::string sql;
    for (size_t i = 0; i < f.size(); ++i) {
      std::string part;
      if (f[i] != '%') {
        part = SqlLiteral(std::string(1, f[i]));
      } else if (++i < f.size()) {
        switch (f[i]) {
          case 'Y': part = field("YEAR", 4); break;
          case 'm': part = field("MONTH", 2); break;
          case 'd': part = field("DAY", 2); break;
          case 'H': part = field("HOUR", 2); break;
          case 'M': part = field("MINUTE", 2); break;
          case 'S': part = field("SECOND", 2); break;
          case 's': part = "floor(" + epoch + ")::bigint::text"; break;
          case '%': part = "'%'"; break;
          default: throw Untranslatable(std::string("strftime's %") + f[i]);
        }
      } else {
        throw Untranslatable("strftime's format ends in %");
      }
      sql += (sql.empty() ? "" : " || ") + part;
    }
    if (sql.empty()) throw Untranslatable("strftime of an empty format");
    return Expr{"(" + sql + ")", Kind::kText};
  }
  // CAST(x AS DATE) of a MySQL DATE or DATETIME (MariaDB writes DATE(x) so).
  Expr Cast() {
    Expect("(");
    Expr e = Or();
    if (!IsWordTok("as")) throw Untranslatable("CAST without AS");
    Advance();
    if (d_ != ExprDialect::kMysql || !IsWordTok("date") ||
        (e.kind != Kind::kDate && e.kind != Kind::kStamp))
      throw Untranslatable("CAST other than of a date or datetime AS DATE");
    Advance();
    Expect(")");
    return {"(" + e.sql + ")::date", Kind::kDate};
  }
  Expr Primary() {
    Token t = tok_;
    switch (t.type) {
      case Token::kNumber: {
        Advance();
        if (t.text.find('.') == std::string::npos) return {t.text, Kind::kInt};
        // A decimal literal is exact in MySQL, a double in SQLite.
        if (d_ == ExprDialect::kSqlite) return {"'" + t.text + "'::double precision", Kind::kFloat};
        return {t.text, Kind::kDecimal};
      }
      case Token::kString:
        Advance();
        return {SqlLiteral(t.text), Kind::kText};
      case Token::kIdent:
        Advance();
        return Column(t.text);
      case Token::kWord: {
        Advance();
        if (Is("(") && Lower(t.text) == "cast") return Cast();
        if (Is("(")) return Function(Lower(t.text));
        if (Lower(t.text) == "null") return {"NULL", Kind::kNull};
        if (Lower(t.text) == "case") return Case();
        return Column(t.text);
      }
      case Token::kPunct:
        if (Is("(")) {
          Advance();
          Expr e = Or();
          Expect(")");
          return {"(" + e.sql + ")", e.kind};
        }
        throw Untranslatable("'" + t.text + "'");
      case Token::kEnd:
        break;
    }
    throw Untranslatable("the expression ends early");
  }

  ExprDialect d_;
  std::string_view src_;
  size_t pos_ = 0;
  Token tok_;
  const SourceTable& table_;
  const std::vector<ColumnPlan>& columns_;
  size_t nonbinary_ = 0;  // text columns read so far that do not compare bytes
};

// Whether a value of kind `k` stored into `col` is the same conversion in both databases.
bool Fits(Kind k, const ColumnPlan& col) {
  // MySQL's quotient, stored with at most 8 decimals: rounded half away from zero in both.
  if (k == Kind::kQuotient)
    return col.type == PgType::kSmallInt || col.type == PgType::kInteger ||
           col.type == PgType::kBigInt ||
           (col.type == PgType::kNumeric && col.scale >= 0 && col.scale <= 8);
  switch (col.type) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt:
    case PgType::kNumeric:
      return k == Kind::kInt || k == Kind::kDecimal || k == Kind::kBool;
    case PgType::kDouble:
      return k == Kind::kInt || k == Kind::kDecimal || k == Kind::kFloat || k == Kind::kBool;
    case PgType::kText:
    case PgType::kVarchar:
      return k == Kind::kText;
    case PgType::kBool:
      return k == Kind::kBool;
    case PgType::kDate:
      return k == Kind::kDate;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> TranslateGenerated(ExprDialect dialect, std::string_view expr,
                                              const SourceTable& table,
                                              const std::vector<ColumnPlan>& columns,
                                              const ColumnPlan& self, std::string* why) {
  if (expr.empty()) {
    *why = "the source does not give its expression";
    return std::nullopt;
  }
  try {
    Expr e = Parser(dialect, expr, table, columns).Parse();
    if (!Fits(e.kind, self)) {
      *why = e.kind == Kind::kQuotient
                 ? "a quotient of exact numbers ('/') into " + self.SqlType() +
                       ": MySQL cuts it at 9, 18, ... decimals (div_precision_increment), "
                       "reproduced only for a scale of at most 8"
                 : "its value is converted to " + self.SqlType() + " differently";
      return std::nullopt;
    }
    // A comparison stored in a number column is its 1, 0 or NULL.
    if (e.kind == Kind::kBool && self.type != PgType::kBool) return "(" + e.sql + ")::integer";
    return e.sql;
  } catch (const Untranslatable& u) {
    *why = u.what();
    return std::nullopt;
  }
}

}  // namespace corrente::migrate
