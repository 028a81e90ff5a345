#include "schedule/calendar_arithmetic.h"

#include <chrono>

namespace otsync::schedule {
namespace {

unsigned LastDayOfMonth(int year, unsigned month) {
  std::chrono::year_month_day_last last{std::chrono::year{year},
                                        std::chrono::month_day_last{std::chrono::month{month}}};
  return static_cast<unsigned>(last.day());
}

}  // namespace

sync::CivilTime AddDays(const sync::CivilTime& time, int64_t days) {
  std::chrono::sys_days date{std::chrono::year_month_day{
      std::chrono::year{time.year}, std::chrono::month{time.month}, std::chrono::day{time.day}}};
  std::chrono::year_month_day moved{date + std::chrono::days{days}};
  sync::CivilTime result = time;
  result.year = static_cast<int>(moved.year());
  result.month = static_cast<unsigned>(moved.month());
  result.day = static_cast<unsigned>(moved.day());
  return result;
}

sync::CivilTime AddMonths(const sync::CivilTime& time, int64_t months) {
  int64_t month_index = int64_t{time.year} * 12 + (time.month - 1) + months;
  int64_t year = month_index >= 0 ? month_index / 12 : (month_index - 11) / 12;
  sync::CivilTime result = time;
  result.year = static_cast<int>(year);
  result.month = static_cast<unsigned>(month_index - year * 12 + 1);
  unsigned target_last_day = LastDayOfMonth(result.year, result.month);
  bool at_month_end = time.day == LastDayOfMonth(time.year, time.month);
  if (at_month_end || time.day > target_last_day) result.day = target_last_day;
  return result;
}

}  // namespace otsync::schedule
