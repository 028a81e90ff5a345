#include "schedule/time_pattern.h"

#include <algorithm>
#include <cstdio>

namespace otsync::schedule {
namespace {

struct FieldSpelling {
  std::string_view text;
  TimePattern::Field field;
};

// Longest spellings first, so that "yyyy" is not read as "yy" twice and "hh24" not as "hh".
constexpr FieldSpelling kFieldSpellings[] = {
    {"yyyy", TimePattern::Field::kYear}, {"yy", TimePattern::Field::kTwoDigitYear},
    {"mm", TimePattern::Field::kMonth},  {"dd", TimePattern::Field::kDay},
    {"hh24", TimePattern::Field::kHour}, {"hh", TimePattern::Field::kTwelveHour},
    {"mi", TimePattern::Field::kMinute}, {"ss", TimePattern::Field::kSecond},
};

constexpr char kFieldList[] = "the fields are yyyy, yy, mm, dd, hh24, hh, mi and ss, in lowercase";

bool IsAsciiLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string TwoDigits(int value) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%02d", value);
  return buffer;
}

}  // namespace

Result<TimePattern> TimePattern::Parse(std::string_view text, size_t* consumed) {
  TimePattern pattern;
  size_t position = 0;
  while (position < text.size()) {
    char c = text[position];
    bool after_field = !pattern.elements_.empty() && pattern.elements_.back().field.has_value();
    if ((c == '+' || c == '-') && after_field && position + 1 < text.size() &&
        IsDigit(text[position + 1])) {
      break;
    }
    const FieldSpelling* spelling =
        std::find_if(std::begin(kFieldSpellings), std::end(kFieldSpellings),
                     [&](const FieldSpelling& candidate) {
                       return text.substr(position).starts_with(candidate.text);
                     });
    if (spelling != std::end(kFieldSpellings)) {
      pattern.elements_.push_back(Element{spelling->field, ""});
      position += spelling->text.size();
      continue;
    }
    if (IsAsciiLetterOrDigit(c)) {
      std::string where = position == 0 ? "'" + std::string(text) + "' does not begin"
                                        : "'" + std::string(text.substr(position)) + "' in '" +
                                              std::string(text) + "' does not begin";
      return Status::InvalidArgument(where + " with a field; " + kFieldList);
    }
    if (pattern.elements_.empty() || pattern.elements_.back().field.has_value()) {
      pattern.elements_.push_back(Element{std::nullopt, ""});
    }
    pattern.elements_.back().separator.push_back(c);
    ++position;
  }
  bool has_field = std::any_of(pattern.elements_.begin(), pattern.elements_.end(),
                               [](const Element& element) { return element.field.has_value(); });
  if (!has_field) {
    return Status::InvalidArgument("'" + std::string(text) + "' has no field; " + kFieldList);
  }
  *consumed = position;
  return pattern;
}

std::string TimePattern::Format(const sync::CivilTime& time) const {
  std::string text;
  for (const Element& element : elements_) {
    if (!element.field.has_value()) {
      text += element.separator;
      continue;
    }
    switch (*element.field) {
      case Field::kYear: {
        char buffer[16];
        std::snprintf(buffer, sizeof(buffer), "%04d", time.year);
        text += buffer;
        break;
      }
      case Field::kTwoDigitYear:
        text += TwoDigits(time.year % 100);
        break;
      case Field::kMonth:
        text += TwoDigits(static_cast<int>(time.month));
        break;
      case Field::kDay:
        text += TwoDigits(static_cast<int>(time.day));
        break;
      case Field::kHour:
        text += TwoDigits(time.hour);
        break;
      case Field::kTwelveHour:
        text += TwoDigits(time.hour % 12 == 0 ? 12 : time.hour % 12);
        break;
      case Field::kMinute:
        text += TwoDigits(time.minute);
        break;
      case Field::kSecond:
        text += TwoDigits(time.second);
        break;
    }
  }
  return text;
}

bool TimePattern::Has(Field field) const {
  return std::any_of(elements_.begin(), elements_.end(),
                     [field](const Element& element) { return element.field == field; });
}

bool TimePattern::HasTimeOfDay() const {
  return Has(Field::kHour) || Has(Field::kTwelveHour) || Has(Field::kMinute) || Has(Field::kSecond);
}

}  // namespace otsync::schedule
