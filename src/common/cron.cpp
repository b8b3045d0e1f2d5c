#include "common/cron.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace corrente {
namespace {

int Number(const std::string& s, const char* field) {
  if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument(std::string("cron ") + field + ": '" + s + "' is not a number");
  return std::stoi(s);
}

// Sets the bits of one field from its text; `lo`..`hi` is the field's range.
template <size_t N>
bool Field(const std::string& text, int lo, int hi, const char* name, std::bitset<N>& bits) {
  std::stringstream ss(text);
  std::string part;
  bool any = false;
  while (std::getline(ss, part, ',')) {
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      step = Number(part.substr(slash + 1), name);
      if (step < 1) throw std::invalid_argument(std::string("cron ") + name + ": step must be >= 1");
      part = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (part == "*") {
      any = any || step == 1;
    } else if (auto dash = part.find('-'); dash != std::string::npos) {
      a = Number(part.substr(0, dash), name);
      b = Number(part.substr(dash + 1), name);
    } else {
      a = b = Number(part, name);
      if (step != 1) b = hi;  // "5/15": from 5 on, every 15
    }
    if (a < lo || b > hi || a > b)
      throw std::invalid_argument(std::string("cron ") + name + ": '" + text + "' is outside " +
                                  std::to_string(lo) + "-" + std::to_string(hi));
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(v));
  }
  if (bits.none()) throw std::invalid_argument(std::string("cron ") + name + ": empty");
  return any;
}

}  // namespace

Cron Cron::Parse(const std::string& expr) {
  std::stringstream ss(expr);
  std::vector<std::string> f;
  for (std::string w; ss >> w;) f.push_back(w);
  if (f.size() != 5)
    throw std::invalid_argument("cron: expected 5 fields (minute hour day month weekday), got " +
                                std::to_string(f.size()) + " in '" + expr + "'");
  Cron c;
  c.text_ = expr;
  Field(f[0], 0, 59, "minute", c.minute_);
  Field(f[1], 0, 23, "hour", c.hour_);
  c.dom_any_ = Field(f[2], 1, 31, "day of month", c.dom_);
  Field(f[3], 1, 12, "month", c.month_);
  std::bitset<8> dow;
  c.dow_any_ = Field(f[4], 0, 7, "day of week", dow);
  for (size_t d = 0; d < 7; ++d) c.dow_[d] = dow[d] || (d == 0 && dow[7]);
  return c;
}

bool Cron::DayMatches(const std::tm& tm) const {
  const bool dom = dom_[static_cast<size_t>(tm.tm_mday)], dow = dow_[static_cast<size_t>(tm.tm_wday)];
  if (dom_any_ && dow_any_) return true;
  if (dom_any_) return dow;
  if (dow_any_) return dom;
  return dom || dow;
}

std::optional<std::time_t> Cron::Next(std::time_t t) const {
  std::tm tm{};
  localtime_r(&t, &tm);
  tm.tm_sec = 0;
  tm.tm_min += 1;
  tm.tm_isdst = -1;
  std::time_t cur = std::mktime(&tm);
  const std::time_t limit = t + 5LL * 366 * 86400;
  while (cur <= limit) {
    localtime_r(&cur, &tm);
    if (!month_[static_cast<size_t>(tm.tm_mon + 1)] || !DayMatches(tm)) {
      tm.tm_mday += 1;  // the next day at 00:00
      tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    } else if (!hour_[static_cast<size_t>(tm.tm_hour)]) {
      tm.tm_hour += 1;
      tm.tm_min = tm.tm_sec = 0;
    } else if (!minute_[static_cast<size_t>(tm.tm_min)]) {
      tm.tm_min += 1;
      tm.tm_sec = 0;
    } else {
      return cur;
    }
    tm.tm_isdst = -1;
    std::time_t next = std::mktime(&tm);
    cur = next > cur ? next : cur + 60;  // never stall on a DST edge
  }
  return std::nullopt;
}

}  // namespace corrente
