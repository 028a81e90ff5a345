// A DataWorks time pattern: how ${...} and $[...] write a time. Fields are yyyy, yy, mm, dd,
// hh24, hh (12-hour, 01-12), mi and ss, lowercase; every other character is a separator and is
// kept as written ("yyyy-mm-dd" writes 2025-10-31). A letter or digit that is not part of a field
// is refused, so the Java spelling "yyyyMMdd" fails loudly instead of printing "2025MM31".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sync/local_time.h"

namespace otsync::schedule {

class TimePattern {
 public:
  enum class Field { kYear, kTwoDigitYear, kMonth, kDay, kHour, kTwelveHour, kMinute, kSecond };

  // Reads a pattern from the start of `text` up to its end or up to an offset, which begins at a
  // '+' or '-' that directly follows a field and precedes a digit ("yyyymmdd-1"); `*consumed` is
  // set to the length read. Refuses a pattern without any field.
  static Result<TimePattern> Parse(std::string_view text, size_t* consumed);

  std::string Format(const sync::CivilTime& time) const;

  bool Has(Field field) const;
  bool HasTimeOfDay() const;  // hh24, hh, mi or ss.

 private:
  struct Element {
    std::optional<Field> field;  // Empty: a separator.
    std::string separator;
  };
  std::vector<Element> elements_;
};

}  // namespace otsync::schedule
