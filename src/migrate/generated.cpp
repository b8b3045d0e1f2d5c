#include "migrate/generated.h"

#include <cctype>
#include <stdexcept>

namespace corrente::migrate {
namespace {

// What an expression computes; arithmetic and the column's type must agree on it.
enum class Kind { kInt, kDecimal, kFloat, kText };

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
    Expr e = Sum();
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
    if (c == '|' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '|') {
      tok_.text = "||";
      pos_ += 2;
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

  static bool Numeric(Kind k) { return k != Kind::kText; }
  static Kind Wider(Kind a, Kind b) {
    if (a == Kind::kFloat || b == Kind::kFloat) return Kind::kFloat;
    if (a == Kind::kDecimal || b == Kind::kDecimal) return Kind::kDecimal;
    return Kind::kInt;
  }
  static Expr NumberOp(const Expr& a, const std::string& op, const Expr& b) {
    if (!Numeric(a.kind) || !Numeric(b.kind))
      throw Untranslatable("'" + op + "' on text (the sources convert it to a number)");
    return {a.sql + " " + op + " " + b.sql, Wider(a.kind, b.kind)};
  }
  static Expr Concat(const std::vector<Expr>& parts) {
    std::string sql;
    for (const auto& p : parts) {
      if (p.kind != Kind::kText) throw Untranslatable("concatenation of a number");
      sql += (sql.empty() ? "" : " || ") + p.sql;
    }
    return {"(" + sql + ")", Kind::kText};
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
    while (Is("*")) {
      Advance();
      e = NumberOp(e, "*", Concatenation());
    }
    if (Is("/") || Is("%")) throw Untranslatable("division ('" + tok_.text + "')");
    return e;
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
      if (!Numeric(e.kind)) throw Untranslatable("'-' on text");
      return {"(- " + e.sql + ")", e.kind};
    }
    return Primary();
  }
  std::vector<Expr> Args() {
    Expect("(");
    std::vector<Expr> args;
    if (!Is(")")) {
      args.push_back(Sum());
      while (Is(",")) {
        Advance();
        args.push_back(Sum());
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
          return {q, Kind::kText};
        default:
          throw Untranslatable("column " + name + " is " + c.SqlType());
      }
    }
    throw Untranslatable("no column " + name);
  }
  Expr Function(const std::string& fn) {
    std::vector<Expr> a = Args();
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
      Kind k = a[0].kind;
      std::string sql;
      for (const auto& e : a) {
        if ((e.kind == Kind::kText) != (k == Kind::kText))
          throw Untranslatable(fn + " of text and numbers");
        if (k != Kind::kText) k = Wider(k, e.kind);
        sql += (sql.empty() ? "" : ", ") + e.sql;
      }
      return {"COALESCE(" + sql + ")", k};
    }
    if (fn == "abs" && a.size() == 1 && Numeric(a[0].kind))
      return {"abs(" + a[0].sql + ")", a[0].kind};
    // Half away from zero on exact numbers in both; MySQL rounds doubles otherwise.
    if (fn == "round" && d_ == ExprDialect::kMysql && (a.size() == 1 || a.size() == 2) &&
        (a[0].kind == Kind::kInt || a[0].kind == Kind::kDecimal) &&
        (a.size() == 1 || a[1].kind == Kind::kInt)) {
      return {"round((" + a[0].sql + ")::numeric" + (a.size() == 2 ? ", " + a[1].sql : "") + ")",
              Kind::kDecimal};
    }
    throw Untranslatable("function " + fn + " with these arguments");
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
        if (Is("(")) return Function(Lower(t.text));
        if (Lower(t.text) == "null") throw Untranslatable("a NULL literal");
        return Column(t.text);
      }
      case Token::kPunct:
        if (Is("(")) {
          Advance();
          Expr e = Sum();
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
};

// Whether a value of kind `k` stored into `col` is the same conversion in both databases.
bool Fits(Kind k, const ColumnPlan& col) {
  switch (col.type) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt:
    case PgType::kNumeric:
      return k == Kind::kInt || k == Kind::kDecimal;
    case PgType::kDouble:
      return k != Kind::kText;
    case PgType::kText:
    case PgType::kVarchar:
      return k == Kind::kText;
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
      *why = "its value is converted to " + self.SqlType() + " differently";
      return std::nullopt;
    }
    return e.sql;
  } catch (const Untranslatable& u) {
    *why = u.what();
    return std::nullopt;
  }
}

}  // namespace corrente::migrate
