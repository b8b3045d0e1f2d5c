#include "migrate/values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/dates.h"
#include "common/utf8.h"
#include "migrate/json_canon.h"
#include "migrate/wkb.h"

namespace corrente::migrate {

std::string Latin1ToUtf8(std::string_view s) {
  // MySQL's latin1 is Windows-1252: 0x80..0x9F hold typographic characters.
  static const uint16_t kCp1252[32] = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  std::string r;
  r.reserve(s.size() + s.size() / 4);
  for (unsigned char c : s) {
    uint32_t cp = c >= 0x80 && c < 0xA0 ? kCp1252[c - 0x80] : c;
    if (cp < 0x80) {
      r += static_cast<char>(cp);
    } else if (cp < 0x800) {
      r += static_cast<char>(0xC0 | (cp >> 6));
      r += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      r += static_cast<char>(0xE0 | (cp >> 12));
      r += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      r += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return r;
}

std::string EscapeInvalidUtf8(std::string_view s) {
  std::string r;
  for (size_t i = 0, n; i < s.size(); i += n) {
    n = Utf8CharLen(s, i);
    if (n > 0) {
      r.append(s.substr(i, n));
      continue;
    }
    char b[8];
    std::snprintf(b, sizeof b, "\\x%02X", static_cast<unsigned char>(s[i]));
    r += b;
    n = 1;
  }
  return r;
}

std::string ShortestDouble(double d) {
  std::string r;
  AppendShortestDouble(d, &r);
  return r;
}

void AppendShortestDouble(double d, std::string* out) {
  if (std::isnan(d)) {
    *out += "NaN";
  } else if (std::isinf(d)) {
    *out += d > 0 ? "Infinity" : "-Infinity";
  } else if (d == 0) {
    *out += std::signbit(d) ? "-0" : "0";
  } else {
    char buf[64];
    out->append(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
  }
}

std::string NormalizeDecimal(std::string_view s) {
  std::string r;
  AppendNormalizedDecimal(s, &r);
  return r;
}

void AppendNormalizedDecimal(std::string_view s, std::string* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.find('.') != std::string_view::npos) {
    while (!s.empty() && s.back() == '0') s.remove_suffix(1);
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  }
  while (s.size() > 1 && s[0] == '0' && s[1] != '.') s.remove_prefix(1);
  if (s.empty() || s == "0") {
    *out += '0';
    return;
  }
  if (neg) *out += '-';
  if (s[0] == '.') *out += '0';
  out->append(s);
}

namespace {

char* Digits(char* p, int64_t v, int width) {
  for (int k = width - 1; k >= 0; --k, v /= 10) p[k] = static_cast<char>('0' + v % 10);
  return p + width;
}

void AppendDate(int64_t days, std::string* out) {
  Ymd d = CivilFromDays(days);
  if (d.year < 0 || d.year > 9999) {
    *out += FormatDate(days);
    return;
  }
  char buf[10];
  char* p = Digits(buf, d.year, 4);
  *p++ = '-';
  p = Digits(p, d.month, 2);
  *p++ = '-';
  Digits(p, d.day, 2);
  out->append(buf, 10);
}

// ".ffffff" without trailing zeros; nothing when `frac` is 0.
void AppendFraction(int64_t frac, std::string* out) {
  if (!frac) return;
  char buf[7] = {'.'};
  Digits(buf + 1, frac, 6);
  size_t n = 7;
  while (buf[n - 1] == '0') --n;
  out->append(buf, n);
}

}  // namespace

void AppendTimestamp(int64_t micros, std::string* out) {
  int64_t days =
      micros >= 0 ? micros / 86400000000LL : -((-micros + 86400000000LL - 1) / 86400000000LL);
  int64_t rem = micros - days * 86400000000LL;
  int64_t secs = rem / 1000000;
  AppendDate(days, out);
  char buf[9] = {' '};
  char* p = Digits(buf + 1, secs / 3600, 2);
  *p++ = ':';
  p = Digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  Digits(p, secs % 60, 2);
  out->append(buf, 9);
  AppendFraction(rem % 1000000, out);
}

std::string FormatTimestamp(int64_t micros) {
  std::string r;
  AppendTimestamp(micros, &r);
  return r;
}

namespace {

bool ParseUint(std::string_view s, int64_t* v) {
  if (s.empty() || s[0] == '-') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// What a clock text is read as: a time of day (PostgreSQL's time holds 24:00:00), the clock
// of a timestamp, or a duration (MySQL TIME, hours beyond 24).
enum class ClockKind { kTimeOfDay, kStamp, kDuration };

// "HH:MM[:SS[.ffffff]]" -> micros.
std::optional<int64_t> ParseClock(std::string_view s, ClockKind kind) {
  bool duration = kind == ClockKind::kDuration;
  bool neg = false;
  if (duration && !s.empty() && s[0] == '-') neg = true, s.remove_prefix(1);
  auto c1 = s.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  int64_t h, m, sec = 0, frac = 0;
  if (!ParseUint(s.substr(0, c1), &h)) return std::nullopt;
  auto rest = s.substr(c1 + 1);
  auto c2 = rest.find(':');
  if (!ParseUint(rest.substr(0, c2 == std::string_view::npos ? rest.size() : c2), &m))
    return std::nullopt;
  if (c2 != std::string_view::npos) {
    auto ss = rest.substr(c2 + 1);
    auto dot = ss.find('.');
    if (!ParseUint(ss.substr(0, dot == std::string_view::npos ? ss.size() : dot), &sec))
      return std::nullopt;
    if (dot != std::string_view::npos) {
      auto f = ss.substr(dot + 1);
      std::string fs(f);
      if (f.size() > 6) {
        // Past microseconds, which PostgreSQL cannot hold: zeros are no digits lost, others
        // would be rounded (as PostgreSQL's input rounds), a change verify could not see. Not
        // a time, then: SQLite's value scan and CSV's inference keep such a column as text.
        if (f.find_first_not_of("0123456789") != std::string_view::npos ||
            f.substr(6).find_first_not_of('0') != std::string_view::npos)
          return std::nullopt;
        if (!ParseUint(f.substr(0, 6), &frac)) return std::nullopt;
      } else {
        while (fs.size() < 6) fs += '0';
        if (!ParseUint(fs, &frac)) return std::nullopt;
      }
    }
  }
  // PostgreSQL reads a leap second :60 as the next minute and a timestamp's 24:00:00 as the
  // next midnight: another value than written (date() of it is the next day), which verify
  // could not see. Neither is a time, then: the value scan keeps such a column as text, and
  // rows past it are refused by key. A time of day holds 24:00:00 itself.
  if (m > 59 || sec > 59) return std::nullopt;
  int64_t v = ((h * 60 + m) * 60 + sec) * 1000000 + frac;
  if (kind == ClockKind::kStamp && h > 23) return std::nullopt;
  if (!duration && (h > 24 || v > int64_t{86400} * 1000000)) return std::nullopt;
  return neg ? -v : v;
}

}  // namespace

std::optional<int64_t> ParseDate(std::string_view s) { return corrente::ParseDate(s); }

std::optional<int64_t> ParseTimestamp(std::string_view s) {
  if (s.size() < 10) return std::nullopt;
  auto days = corrente::ParseDate(s.substr(0, 10));
  if (!days) return std::nullopt;
  int64_t micros = *days * 86400000000LL;
  if (s.size() == 10) return micros;
  if (s[10] != ' ' && s[10] != 'T') return std::nullopt;
  auto rest = s.substr(11);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  if (rest.size() > 6 && (rest.ends_with("+00:00") || rest.ends_with("-00:00")))
    rest.remove_suffix(6);
  else if (rest.size() > 3 && rest.ends_with("+00"))
    rest.remove_suffix(3);
  auto clock = ParseClock(rest, ClockKind::kStamp);
  if (!clock) return std::nullopt;
  return micros + *clock;
}

namespace {

std::string FormatClock(int64_t micros, bool duration) {
  bool neg = micros < 0;
  if (neg) micros = -micros;
  int64_t secs = micros / 1000000, frac = micros % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", neg ? "-" : "",
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string r = buf;
  AppendFraction(frac, &r);
  (void)duration;
  return r;
}

bool ParseInt64(std::string_view s, int64_t* v) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* v) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// `s` as plain decimal text, exactly: "-1.5e3" -> "-1500" by moving the point in the digits
// (never through a double). nullopt when it is not a number or its exponent is past any
// numeric's reach.
std::optional<std::string> PlainDecimal(std::string_view s) {
  if (IsDecimalText(s)) return std::string(s);
  size_t e = s.find_first_of("eE");
  if (e == std::string_view::npos) return std::nullopt;
  std::string_view mant = s.substr(0, e), ex = s.substr(e + 1);
  if (!IsDecimalText(mant)) return std::nullopt;
  if (!ex.empty() && ex[0] == '+') ex.remove_prefix(1);
  int64_t x = 0;
  auto r = std::from_chars(ex.data(), ex.data() + ex.size(), x);
  if (ex.empty() || r.ec != std::errc() || r.ptr != ex.data() + ex.size() || x > 200000 ||
      x < -200000)
    return std::nullopt;
  std::string sign;
  if (mant[0] == '-' || mant[0] == '+') sign = mant[0] == '-' ? "-" : "", mant.remove_prefix(1);
  size_t dot = std::min(mant.find('.'), mant.size());
  std::string digits =
      std::string(mant.substr(0, dot)) + std::string(dot < mant.size() ? mant.substr(dot + 1) : "");
  int64_t point = static_cast<int64_t>(dot) + x, n = static_cast<int64_t>(digits.size());
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (point >= n) return sign + digits + std::string(static_cast<size_t>(point - n), '0');
  return sign + digits.substr(0, static_cast<size_t>(point)) + "." +
         digits.substr(static_cast<size_t>(point));
}

// Cuts plain decimal text to `scale` fractional digits when the digits cut are all zeros
// ("12.500" -> "12.50"); false, leaving it as is, when that would change the value: a value
// is never rounded (SQLite's NUMERIC(10,2) holds 3.14159 as written). No sign on zero.
bool TrimDecimal(std::string* s, int scale) {
  size_t dot = s->find('.');
  if (dot != std::string::npos && static_cast<int>(s->size() - dot - 1) > scale) {
    size_t keep = dot + 1 + static_cast<size_t>(scale);
    if (s->find_first_not_of('0', keep) != std::string::npos) return false;
    s->resize(scale > 0 ? keep : dot);
  }
  if (s->find_first_of("123456789") == std::string::npos && !s->empty() &&
      ((*s)[0] == '-' || (*s)[0] == '+'))
    s->erase(0, 1);
  if (!s->empty() && (*s)[0] == '.') s->insert(0, "0");
  return true;
}

// The shortest decimal form of `d` when it has at most `scale` decimals, written with
// `scale` decimals ("1.000" for 1 at scale 3: the same numeric), without the shortest-form
// search, which took 9% of the copy's CPU. Below 2^50, d's rounding interval is narrower than
// a quarter of 10^-scale, so d * 10^scale rounds to the one decimal of that scale that can
// map back to d, and that decimal is then the shortest form. False when it does not map
// back (more decimals: the caller takes the shortest form and refuses it) or is too large.
bool AppendScaledDouble(double d, int scale, std::string* out) {
  static constexpr double kPow10[] = {1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (scale < 0 || scale > 15) return false;
  double p = kPow10[scale];
  double m = std::nearbyint(d * p);
  if (!(std::fabs(m) < 0x1p50) || m / p != d) return false;
  int64_t n = static_cast<int64_t>(m);
  if (n < 0) *out += '-', n = -n;
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  int len = static_cast<int>(end - buf);
  if (len <= scale) {  // below 1: "0.", zeros, the digits
    *out += "0.";
    out->append(static_cast<size_t>(scale - len), '0');
    out->append(buf, end);
    return true;
  }
  out->append(buf, end - scale);
  if (scale > 0) *out += '.', out->append(end - scale, end);
  return true;
}

// A value in a reason: its first 40 bytes on one printable line (bytes as \xNN).
std::string Shown(std::string_view s) { return Printable(s.substr(0, 40)); }

// Fits the decimal text in `*s` (in place) to numeric(precision, scale).
std::optional<std::string> FitDecimal(std::string* s, int precision, int scale) {
  std::string given;  // the text as given, when it had to be made plain ("1.5e3")
  if (!IsDecimalText(*s)) {
    given = *s;
    auto plain = PlainDecimal(given);
    if (!plain) return "not a decimal number";
    *s = std::move(*plain);
  }
  auto as_given = [&] { return given.empty() ? *s : given; };  // before *s is trimmed
  // Digits before the point, without the sign and leading zeros (trimming keeps them).
  size_t i = !s->empty() && ((*s)[0] == '-' || (*s)[0] == '+') ? 1 : 0;
  while (i < s->size() && (*s)[i] == '0') ++i;
  size_t int_digits = std::min(s->find('.', i), s->size()) - i;
  std::string overflow;
  if (precision > 0 && static_cast<int>(int_digits) > precision - std::max(scale, 0))
    overflow = "value " + as_given() + " overflows numeric(" + std::to_string(precision) + "," +
               std::to_string(std::max(scale, 0)) + ")";
  if (scale >= 0 && !TrimDecimal(s, scale))  // leaves *s as it was
    return "value " + Shown(as_given()) + " has more than " + std::to_string(scale) +
           " decimals for numeric(" + std::to_string(precision) + "," + std::to_string(scale) +
           "); it is not rounded";
  if (!overflow.empty()) return overflow;
  return std::nullopt;
}

bool ZeroDate(std::string_view s) {
  return s.rfind("0000-00-00", 0) == 0 ||
         (s.size() >= 10 && (s.substr(5, 2) == "00" || s.substr(8, 2) == "00"));
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::optional<std::string> ConvertValue(const ColumnPlan& col, const SourceValue& v,
                                        const ConvertContext& ctx, TargetValue* out,
                                        std::string* note) {
  using K = SourceValue::Kind;
  out->null = false;
  out->s.clear();
  if (v.kind == K::kNull) {
    out->null = true;
    if (col.not_null && !col.identity) return "NULL in NOT NULL column " + col.name;
    return std::nullopt;
  }
  auto text_of = [&]() -> std::string {
    if (v.kind == K::kInt) return std::to_string(v.i);
    if (v.kind == K::kReal) return ShortestDouble(v.d);
    return std::string(v.s);
  };
  switch (col.type) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt: {
      int64_t x;
      if (v.kind == K::kInt)
        x = v.i;
      else if (v.kind == K::kReal && v.d == std::floor(v.d) && std::fabs(v.d) < 9.2e18)
        x = static_cast<int64_t>(v.d);
      else if (v.kind == K::kText && ParseInt64(v.s, &x)) {
      } else if (v.kind == K::kBlob && col.bit_string && v.s.size() <= 8 &&
                 (v.s.size() < 8 || !(v.s[0] & 0x80))) {  // MySQL bit(n), n < 64
        x = 0;
        for (unsigned char c : v.s) x = (x << 8) | c;
      } else
        return "not an integer: " + Shown(text_of());
      int64_t lim = col.type == PgType::kSmallInt  ? 32767
                    : col.type == PgType::kInteger ? 2147483647LL
                                                   : INT64_MAX;
      if (x > lim || x < -lim - 1)
        return "integer " + std::to_string(x) + " out of range for " + col.SqlType();
      out->i = x;
      return std::nullopt;
    }
    case PgType::kNumeric: {
      // The decimal text is built in out->s, whose buffer is reused row after row.
      std::string& txt = out->s;
      char buf[24];
      if (v.kind == K::kInt)
        txt.assign(buf, std::to_chars(buf, buf + sizeof buf, v.i).ptr);
      else if (v.kind == K::kReal) {
        // Its shortest decimal form, then rounded as decimal: as float8::numeric does.
        if (!std::isfinite(v.d)) return "non-finite number in numeric column";
        if (!AppendScaledDouble(v.d, col.scale, &txt)) AppendShortestDouble(v.d, &txt);
      } else if (v.kind == K::kText) {
        txt.assign(v.s);
      } else if (col.bit_string && v.s.size() <= 8) {  // MySQL bit(64)
        uint64_t u = 0;
        for (unsigned char c : v.s) u = (u << 8) | c;
        txt.assign(buf, std::to_chars(buf, buf + sizeof buf, u).ptr);
      } else {
        return "blob in numeric column";
      }
      if (auto err = FitDecimal(&txt, col.precision, col.scale)) {
        if (v.kind != K::kReal) return err;
        txt.clear();  // the reason shows the REAL's shortest form (the scaled one: overflow)
        AppendShortestDouble(v.d, &txt);
        return FitDecimal(&txt, col.precision, col.scale).value_or(*err);
      }
      if (!out->s.empty() && out->s[0] == '+') out->s.erase(0, 1);
      // PostgreSQL's numeric holds 131072 digits before the point and 16383 after. Past the
      // first, the binary COPY field's weight would wrap and PostgreSQL store a wrong value.
      std::string_view n = out->s;
      if (!n.empty() && n[0] == '-') n.remove_prefix(1);
      size_t dot = std::min(n.find('.'), n.size());
      size_t lead = std::min(n.find_first_not_of('0'), dot);
      if (dot - lead > 131072 || n.size() - std::min(dot + 1, n.size()) > 16383)
        return "numeric value out of range (PostgreSQL holds 131072 digits before the point, "
               "16383 after) in column " +
               col.name;
      return std::nullopt;
    }
    case PgType::kDouble: {
      if (v.kind == K::kReal)
        out->d = v.d;
      else if (v.kind == K::kInt)
        out->d = static_cast<double>(v.i);
      else if (v.kind == K::kText && ParseDouble(v.s, &out->d)) {
      } else
        return "not a number: " + Shown(text_of());
      return std::nullopt;
    }
    case PgType::kText:
    case PgType::kVarchar: {
      if (v.kind == K::kText || v.kind == K::kBlob) {
        if (col.charset == TextCharset::kLatin1)
          out->s = Latin1ToUtf8(v.s);
        else
          out->s.assign(v.s);
        if (!IsUtf8(out->s)) {
          if (ctx.invalid_text == InvalidTextPolicy::kReject)
            return "invalid UTF-8 in column " + col.name;
          if (ctx.invalid_text == InvalidTextPolicy::kBytea)  // not there when the copy planned
            return "invalid UTF-8 in column " + col.name +
                   " (--invalid-text bytea: not in the values the copy checked when it chose " +
                   col.SqlType() + "; copy --fresh plans it as bytea, or use --invalid-text escape)";
          out->s = EscapeInvalidUtf8(out->s);
          *note = "invalid UTF-8 in column " + col.name + " escaped as \\xNN";
        }
      } else {
        out->s = text_of();
        // A SQLite REAL in a text column reads as SQLite writes it, with a point (2451545.0,
        // a julian day), in its shortest exact form (not SQLite's own 15 digits).
        if (v.kind == K::kReal && out->s.find_first_of(".eEni") == std::string::npos)
          out->s += ".0";
      }
      if (col.type == PgType::kVarchar && static_cast<int>(Utf8Chars(out->s)) > col.precision)
        return "value longer than " + col.SqlType() + " in column " + col.name;
      return std::nullopt;
    }
    case PgType::kJsonb: {
      // Sent as written (jsonb keeps a number's scale: 1.50); only checked here.
      out->s = col.charset == TextCharset::kLatin1 ? Latin1ToUtf8(text_of()) : text_of();
      std::string canon, err;
      if (!AppendCanonicalJson(out->s, &canon, &err))
        return "not JSON that jsonb takes in column " + col.name + ": " + err;
      return std::nullopt;
    }
    case PgType::kBytea:
      out->s = v.kind == K::kText || v.kind == K::kBlob ? std::string(v.s) : text_of();
      if (col.wkb_after_srid) {
        if (out->s.size() < 5) return "not a MySQL geometry value in column " + col.name;
        out->s.erase(0, 4);
      }
      return std::nullopt;
    case PgType::kGeometry: {
      auto e = MysqlGeometryToEwkb(v.s);
      if (!e) return "not a MySQL geometry value in column " + col.name;
      out->s = std::move(*e);
      return std::nullopt;
    }
    case PgType::kBool: {
      if (v.kind == K::kInt) {
        if (v.i != 0 && v.i != 1) return "boolean column holds " + std::to_string(v.i);
        out->i = v.i;
        return std::nullopt;
      }
      if (v.kind == K::kBlob && col.bit_string && v.s.size() == 1 &&
          (v.s[0] == 0 || v.s[0] == 1)) {  // MySQL bit(1)
        out->i = v.s[0];
        return std::nullopt;
      }
      std::string t = Lower(text_of());
      if (t == "1" || t == "t" || t == "true" || t == "yes")
        out->i = 1;
      else if (t == "0" || t == "f" || t == "false" || t == "no")
        out->i = 0;
      else
        return "not a boolean: " + Shown(t);
      return std::nullopt;
    }
    case PgType::kDate:
    case PgType::kTimestamp:
    case PgType::kTimestampTz: {
      if (v.kind == K::kInt && col.type != PgType::kDate) {
        // Prisma and friends store DateTime as Unix milliseconds (seconds when small).
        out->i = std::llabs(v.i) > 100000000000LL ? v.i * 1000 : v.i * 1000000;
        return std::nullopt;
      }
      std::string owned = v.kind == K::kText ? std::string() : text_of();
      std::string_view t = v.kind == K::kText ? v.s : std::string_view(owned);
      if (ZeroDate(t)) {
        if (ctx.zero_dates == ZeroDatePolicy::kError)
          return "zero date " + std::string(t) + " in column " + col.name;
        out->null = true;
        if (col.not_null) return "zero date " + std::string(t) + " in NOT NULL column " + col.name;
        *note = "zero date " + std::string(t) + " in column " + col.name + " became NULL";
        return std::nullopt;
      }
      if (col.type == PgType::kDate) {
        auto d = corrente::ParseDate(t.substr(0, std::min<size_t>(t.size(), 10)));
        if (!d || (t.size() > 10 && t.substr(10).find_first_not_of(" 0:T.") != std::string::npos))
          return "not a date: " + Shown(t);
        out->i = *d;
      } else {
        auto ts = ParseTimestamp(t);
        if (!ts) return "not a timestamp: " + Shown(t);
        out->i = *ts;
      }
      return std::nullopt;
    }
    case PgType::kTime:
    case PgType::kInterval: {
      auto c = ParseClock(text_of(), col.type == PgType::kInterval ? ClockKind::kDuration
                                                                  : ClockKind::kTimeOfDay);
      if (!c) return "not a time: " + Shown(text_of());
      out->i = *c;
      return std::nullopt;
    }
    case PgType::kUuid: {
      std::string t = Lower(text_of());
      std::string hex;
      for (char c : t)
        if (c != '-') hex += c;
      if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
        return "not a uuid: " + Shown(t);
      out->s = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
               hex.substr(16, 4) + "-" + hex.substr(20);
      return std::nullopt;
    }
  }
  return "unsupported type";
}

void WriteRow(pg::CopyWriter& w, const std::vector<ColumnPlan>& cols,
              const std::vector<TargetValue>& vals) {
  int16_t n = 0;
  for (const auto& c : cols) n += c.generated_sql ? 0 : 1;
  w.StartRow(n);
  for (size_t i = 0; i < cols.size(); ++i)
    if (!cols[i].generated_sql) WriteValue(w, cols[i], vals[i]);
}

void WriteValue(pg::CopyWriter& w, const ColumnPlan& col, const TargetValue& tv) {
  if (tv.null) {
    w.Null();
    return;
  }
  switch (col.type) {
    case PgType::kSmallInt:
      w.Int16(static_cast<int16_t>(tv.i));
      break;
    case PgType::kInteger:
      w.Int32(static_cast<int32_t>(tv.i));
      break;
    case PgType::kBigInt:
      w.Int64(tv.i);
      break;
    case PgType::kNumeric:
      w.NumericText(tv.s);
      break;
    case PgType::kDouble:
      w.Float8(tv.d);
      break;
    case PgType::kText:
    case PgType::kVarchar:
      w.Text(tv.s);
      break;
    case PgType::kBytea:
    case PgType::kGeometry:  // EWKB is geometry's binary input
      w.Raw(tv.s);
      break;
    case PgType::kBool:
      w.Bool(tv.i != 0);
      break;
    case PgType::kDate:
      w.Date(tv.i);
      break;
    case PgType::kTimestamp:
    case PgType::kTimestampTz:
      w.Timestamp(tv.i);
      break;
    case PgType::kTime: {
      std::string b(8, '\0');
      uint64_t u = static_cast<uint64_t>(tv.i);
      for (int k = 0; k < 8; ++k) b[k] = static_cast<char>(u >> (56 - 8 * k));
      w.Raw(b);
      break;
    }
    case PgType::kInterval: {
      std::string b(16, '\0');
      uint64_t u = static_cast<uint64_t>(tv.i);
      for (int k = 0; k < 8; ++k) b[k] = static_cast<char>(u >> (56 - 8 * k));
      w.Raw(b);  // days and months stay 0
      break;
    }
    case PgType::kJsonb: {
      std::string b = "\x01";  // jsonb's binary format: version 1, then the text
      b += tv.s;
      w.Raw(b);
      break;
    }
    case PgType::kUuid: {
      std::string b;
      for (size_t k = 0; k < tv.s.size(); ++k) {
        if (tv.s[k] == '-') continue;
        b += static_cast<char>(std::stoi(tv.s.substr(k, 2), nullptr, 16));
        ++k;
      }
      w.Raw(b);
      break;
    }
  }
}

void AppendCanonical(const ColumnPlan& col, const TargetValue& tv, std::string* out) {
  switch (col.type) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt: {
      char buf[24];
      out->append(buf, std::to_chars(buf, buf + sizeof buf, tv.i).ptr);
      break;
    }
    case PgType::kNumeric:
      AppendNormalizedDecimal(tv.s, out);
      break;
    case PgType::kDouble:
      AppendShortestDouble(tv.d, out);
      break;
    case PgType::kText:
    case PgType::kVarchar:
    case PgType::kUuid:
      *out += tv.s;
      break;
    case PgType::kBytea: {
      static const char* kHex = "0123456789abcdef";
      *out += "\\x";
      for (unsigned char c : tv.s) {
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      }
      break;
    }
    case PgType::kBool:
      *out += tv.i ? "t" : "f";
      break;
    case PgType::kDate:
      AppendDate(tv.i, out);
      break;
    case PgType::kTimestamp:
      AppendTimestamp(tv.i, out);
      break;
    case PgType::kTimestampTz:
      AppendTimestamp(tv.i, out);
      *out += "+00";
      break;
    case PgType::kTime:
    case PgType::kInterval:
      *out += FormatClock(tv.i, col.type == PgType::kInterval);
      break;
    case PgType::kJsonb: {
      std::string err;
      if (!AppendCanonicalJson(tv.s, out, &err)) *out += tv.s;  // ConvertValue refused it
      break;
    }
    case PgType::kGeometry:
      // A value without an SRID takes the column's in PostGIS. ConvertValue refused non-WKB.
      *out += CanonicalGeometry(tv.s, col.srid).value_or(tv.s);
      break;
  }
}

void CanonicalFromPg(const ColumnPlan& col, std::string_view pg_text, std::string* out) {
  if (col.type == PgType::kDouble) {
    double d = 0;
    if (pg_text == "NaN")
      d = NAN;
    else if (pg_text == "Infinity")
      d = INFINITY;
    else if (pg_text == "-Infinity")
      d = -INFINITY;
    else
      ParseDouble(pg_text, &d);
    AppendShortestDouble(d, out);
  } else if (col.type == PgType::kNumeric) {
    AppendNormalizedDecimal(pg_text, out);
  } else if (col.type == PgType::kInterval) {
    auto c = ParseClock(pg_text, ClockKind::kDuration);
    *out += c ? FormatClock(*c, true) : std::string(pg_text);
  } else if (col.type == PgType::kJsonb) {
    std::string err;
    if (!AppendCanonicalJson(pg_text, out, &err)) out->append(pg_text);
  } else if (col.type == PgType::kGeometry) {
    auto hex = CanonicalGeometryFromHex(pg_text);
    out->append(hex ? *hex : std::string(pg_text));
  } else {
    out->append(pg_text);
  }
}

}  // namespace corrente::migrate
