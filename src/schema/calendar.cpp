#include "schema/calendar.h"

#include <map>

#include "common/dates.h"
#include "pg/copy.h"

namespace corrente::schema {

int64_t FillCalendar(pg::Connection& conn, int64_t from, int64_t to) {
  std::map<int64_t, std::string> holidays;
  for (int y = CivilFromDays(from).year; y <= CivilFromDays(to).year; ++y)
    for (auto& h : BrazilHolidays(y)) holidays.emplace(h.day, h.name);
  conn.ExecScript(
      "DROP TABLE IF EXISTS pg_temp.corrente_cal;"
      "CREATE TEMP TABLE corrente_cal AS SELECT full_date, year, month, quarter, weekday, day_of_month,"
      " week_of_year, is_weekend, is_holiday, holiday_name, fiscal_year, fiscal_quarter"
      " FROM core.dim_calendar WITH NO DATA");
  {
    pg::CopyWriter w(conn,
                     "COPY corrente_cal (full_date, year, month, quarter, weekday, day_of_month, week_of_year,"
                     " is_weekend, is_holiday, holiday_name, fiscal_year, fiscal_quarter) FROM STDIN (FORMAT binary)");
    for (int64_t d = from; d <= to; ++d) {
      Ymd ymd = CivilFromDays(d);
      int wd = Weekday(d);
      auto h = holidays.find(d);
      int16_t quarter = static_cast<int16_t>((ymd.month - 1) / 3 + 1);
      w.StartRow(12);
      w.Date(d);
      w.Int16(static_cast<int16_t>(ymd.year));
      w.Int16(static_cast<int16_t>(ymd.month));
      w.Int16(quarter);
      w.Int16(static_cast<int16_t>(wd));
      w.Int16(static_cast<int16_t>(ymd.day));
      w.Int16(static_cast<int16_t>(IsoWeek(d)));
      w.Bool(wd == 0 || wd == 6);
      w.Bool(h != holidays.end());
      if (h != holidays.end()) w.Text(h->second); else w.Null();
      w.Int16(static_cast<int16_t>(ymd.year));
      w.Int16(quarter);
    }
    w.Finish();
  }
  auto r = conn.ExecScript(
      "INSERT INTO core.dim_calendar (full_date, year, month, quarter, weekday, day_of_month, week_of_year,"
      " is_weekend, is_holiday, holiday_name, fiscal_year, fiscal_quarter)"
      " SELECT full_date, year, month, quarter, weekday, day_of_month, week_of_year, is_weekend, is_holiday,"
      " holiday_name, fiscal_year, fiscal_quarter FROM corrente_cal"
      " ON CONFLICT (full_date) DO UPDATE SET is_holiday = EXCLUDED.is_holiday,"
      " holiday_name = EXCLUDED.holiday_name, week_of_year = EXCLUDED.week_of_year");
  conn.ExecScript("DROP TABLE corrente_cal");
  return r.AffectedRows();
}

}  // namespace corrente::schema
