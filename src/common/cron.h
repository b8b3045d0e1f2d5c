#pragma once
// Cron expressions for the pipeline schedule: the five standard fields
// (minute hour day-of-month month day-of-week), each `*`, a number, a range `a-b`, a step
// `*/n` or `a-b/n`, or a comma list of those; day-of-week 0-7 (0 and 7 are Sunday). As in cron,
// when both day fields are restricted a day matches either. Times are in the process's local
// time zone (TZ). Pure apart from that, and thread-safe.
#include <bitset>
#include <ctime>
#include <optional>
#include <string>

namespace corrente {

class Cron {
 public:
  // Throws std::invalid_argument naming the bad field.
  static Cron Parse(const std::string& expr);
  // The first matching minute strictly after `t` (seconds since the epoch), within 5 years.
  std::optional<std::time_t> Next(std::time_t t) const;
  const std::string& Text() const { return text_; }

 private:
  std::bitset<60> minute_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;
  std::bitset<13> month_;
  std::bitset<7> dow_;
  bool dom_any_ = true, dow_any_ = true;
  std::string text_;
  bool DayMatches(const std::tm& tm) const;
};

}  // namespace corrente
