#include "migrate/json_canon.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace corrente::migrate {
namespace {

constexpr int kMaxDepth = 1000;

class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view in) : s_(in) {}

  bool Run(std::string* out, std::string* error) {
    Space();
    bool ok = Value(out, 0) && (Space(), i_ == s_.size());
    if (!ok && err_.empty()) err_ = "not JSON";
    if (!ok) *error = err_ + " at byte " + std::to_string(i_);
    return ok;
  }

 private:
  bool Fail(const char* why) {
    if (err_.empty()) err_ = why;
    return false;
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool Literal(std::string_view word, std::string* out) {
    if (s_.substr(i_, word.size()) != word) return Fail("not JSON");
    i_ += word.size();
    out->append(word);
    return true;
  }

  bool Value(std::string* out, int depth) {
    if (depth >= kMaxDepth) return Fail("JSON nested past 1000 levels");
    if (i_ >= s_.size()) return Fail("JSON ends early");
    switch (s_[i_]) {
      case '{':
        return Object(out, depth);
      case '[':
        return Array(out, depth);
      case '"':
        return String(out);
      case 't':
        return Literal("true", out);
      case 'f':
        return Literal("false", out);
      case 'n':
        return Literal("null", out);
      default:
        return Number(out);
    }
  }

  bool Array(std::string* out, int depth) {
    ++i_;
    *out += '[';
    Space();
    if (i_ < s_.size() && s_[i_] == ']') return ++i_, *out += ']', true;
    for (bool first = true;; first = false) {
      if (!first) *out += ',';
      Space();
      if (!Value(out, depth + 1)) return false;
      Space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, *out += ']', true;
      return Fail("not JSON");
    }
  }

  bool Object(std::string* out, int depth) {
    ++i_;
    std::vector<std::pair<std::string, std::string>> members;  // decoded key, canonical value
    Space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
    } else {
      for (;;) {
        Space();
        if (i_ >= s_.size() || s_[i_] != '"') return Fail("not JSON");
        std::string key, value;
        if (!String(&key)) return false;
        Space();
        if (i_ >= s_.size() || s_[i_] != ':') return Fail("not JSON");
        ++i_;
        Space();
        if (!Value(&value, depth + 1)) return false;
        members.emplace_back(std::move(key), std::move(value));
        Space();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          break;
        }
        return Fail("not JSON");
      }
    }
    // jsonb's key order: shorter keys first, then bytewise; of equal keys the last stays.
    std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
      return a.first < b.first;
    });
    *out += '{';
    bool first = true;
    for (size_t k = 0; k < members.size(); ++k) {
      if (k + 1 < members.size() && members[k + 1].first == members[k].first) continue;
      if (!first) *out += ',';
      first = false;
      *out += members[k].first;
      *out += ':';
      *out += members[k].second;
    }
    *out += '}';
    return true;
  }

  bool Hex4(uint32_t* v) {
    if (i_ + 4 > s_.size()) return Fail("not JSON");
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return Fail("not JSON");
      *v = *v * 16 + static_cast<uint32_t>(d);
    }
    return true;
  }

  static void PutUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // A string token, decoded and written again with the canonical escapes.
  bool String(std::string* out) {
    ++i_;
    std::string raw;  // the decoded bytes
    for (;;) {
      if (i_ >= s_.size()) return Fail("JSON string not closed");
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        break;
      }
      if (c < 0x20) return Fail("control character in a JSON string");
      if (c != '\\') {
        raw += static_cast<char>(c);
        ++i_;
        continue;
      }
      if (++i_ >= s_.size()) return Fail("not JSON");
      char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          raw += e;
          break;
        case 'b':
          raw += '\b';
          break;
        case 'f':
          raw += '\f';
          break;
        case 'n':
          raw += '\n';
          break;
        case 'r':
          raw += '\r';
          break;
        case 't':
          raw += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp == 0) return Fail("\\u0000 in a JSON string (jsonb refuses it)");
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone low surrogate in a JSON string");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (s_.substr(i_, 2) != "\\u") return Fail("lone high surrogate in a JSON string");
            i_ += 2;
            if (!Hex4(&lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return Fail("lone high surrogate in a JSON string");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          PutUtf8(cp, &raw);
          break;
        }
        default:
          return Fail("bad escape in a JSON string");
      }
    }
    if (!IsUtf8(raw)) return Fail("invalid UTF-8 in a JSON string");
    static const char* kHex = "0123456789abcdef";
    *out += '"';
    for (unsigned char c : raw) {
      if (c == '"' || c == '\\') {
        *out += '\\';
        *out += static_cast<char>(c);
      } else if (c < 0x20) {
        *out += "\\u00";
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      } else {
        *out += static_cast<char>(c);
      }
    }
    *out += '"';
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? as significant digits and a power of ten.
  bool Number(std::string* out) {
    bool neg = false;
    if (i_ < s_.size() && s_[i_] == '-') neg = true, ++i_;
    auto digit = [&] { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; };
    if (!digit()) return Fail("not JSON");
    std::string digits;
    int64_t exp = 0;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (digit()) digits += s_[i_++];
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digit()) return Fail("not JSON");
      while (digit()) digits += s_[i_++], --exp;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      bool eneg = false;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) eneg = s_[i_++] == '-';
      if (!digit()) return Fail("not JSON");
      int64_t e = 0;
      int n = 0;
      while (digit()) {
        e = e * 10 + (s_[i_++] - '0');
        if (e != 0 && ++n > 9) return Fail("JSON number exponent out of range");
      }
      exp += eneg ? -e : e;
    }
    size_t lead = digits.find_first_not_of('0');
    if (lead == std::string::npos) {
      *out += '0';
      return true;
    }
    digits.erase(0, lead);
    while (digits.back() == '0') digits.pop_back(), ++exp;
    if (neg) *out += '-';
    *out += digits;
    if (exp != 0) *out += "e" + std::to_string(exp);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string err_;
};

}  // namespace

bool AppendCanonicalJson(std::string_view in, std::string* out, std::string* error) {
  size_t mark = out->size();
  if (Canonicalizer(in).Run(out, error)) return true;
  out->resize(mark);
  return false;
}

}  // namespace corrente::migrate
