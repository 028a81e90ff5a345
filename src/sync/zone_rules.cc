#include "sync/zone_rules.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace otsync::sync {

// "Mm.w.d/time" twice: daylight time starts and ends on day d (0 = Sunday) of week w (1-4, 5 =
// the last) of month m, at `time` seconds after local midnight (which may be negative or past
// 24 hours).
struct ZoneRules::DaylightRule {
  struct Date {
    unsigned month = 0;
    unsigned week = 0;
    unsigned weekday = 0;
    int64_t time = 2 * 3600;
  };
  int daylight_offset = 0;
  Date start;
  Date end;
};

namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr size_t kHeaderSize = 44;

Status Malformed(std::string_view what) {
  return Status::InvalidArgument("malformed zone file: " + std::string(what));
}

uint32_t ReadUint32(std::string_view bytes, size_t at) {
  return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(bytes[at + 3])};
}

int64_t ReadInt64(std::string_view bytes, size_t at) {
  uint64_t high = ReadUint32(bytes, at);
  uint64_t low = ReadUint32(bytes, at + 4);
  return static_cast<int64_t>((high << 32) | low);
}

struct Counts {
  size_t utc_indicators, standard_indicators, leap_seconds, transitions, types, characters;
};

Counts ReadCounts(std::string_view bytes, size_t header) {
  return Counts{ReadUint32(bytes, header + 20), ReadUint32(bytes, header + 24),
                ReadUint32(bytes, header + 28), ReadUint32(bytes, header + 32),
                ReadUint32(bytes, header + 36), ReadUint32(bytes, header + 40)};
}

size_t BlockSize(const Counts& counts, size_t time_size) {
  return counts.transitions * time_size + counts.transitions + counts.types * 6 +
         counts.characters + counts.leap_seconds * (time_size + 4) + counts.standard_indicators +
         counts.utc_indicators;
}

// Reads the POSIX TZ string of a footer, a small recursive-descent parser over `text`.
class FooterParser {
 public:
  explicit FooterParser(std::string_view text) : text_(text) {}

  Status Parse(int& standard_offset, std::shared_ptr<const ZoneRules::DaylightRule>& daylight) {
    if (!SkipName()) return Malformed("footer zone abbreviation");
    std::optional<int64_t> west = ReadTime();
    if (!west.has_value()) return Malformed("footer UTC offset");
    standard_offset = static_cast<int>(-*west);
    if (AtEnd()) return Status::OK();
    auto rule = std::make_shared<ZoneRules::DaylightRule>();
    if (!SkipName()) return Malformed("footer daylight abbreviation");
    rule->daylight_offset = standard_offset + 3600;
    if (!AtEnd() && Peek() != ',') {
      std::optional<int64_t> daylight_west = ReadTime();
      if (!daylight_west.has_value()) return Malformed("footer daylight offset");
      rule->daylight_offset = static_cast<int>(-*daylight_west);
    }
    if (!Consume(',') || !ReadDate(rule->start) || !Consume(',') || !ReadDate(rule->end) ||
        !AtEnd()) {
      return Status::Unsupported("zone file footer '" + std::string(text_) +
                                 "': only the Mm.w.d form of daylight-saving rules is read");
    }
    daylight = std::move(rule);
    return Status::OK();
  }

 private:
  bool AtEnd() const { return position_ >= text_.size(); }
  char Peek() const { return text_[position_]; }
  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++position_;
    return true;
  }
  bool IsDigit() const { return !AtEnd() && Peek() >= '0' && Peek() <= '9'; }

  // "EST" or "<+0330>".
  bool SkipName() {
    if (Consume('<')) {
      size_t close = text_.find('>', position_);
      if (close == std::string_view::npos) return false;
      position_ = close + 1;
      return true;
    }
    size_t start = position_;
    while (!AtEnd() && ((Peek() >= 'A' && Peek() <= 'Z') || (Peek() >= 'a' && Peek() <= 'z'))) {
      ++position_;
    }
    return position_ - start >= 3;
  }

  std::optional<int64_t> ReadNumber() {
    if (!IsDigit()) return std::nullopt;
    int64_t value = 0;
    while (IsDigit() && value < 1000) value = value * 10 + (text_[position_++] - '0');
    return value;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  std::optional<int64_t> ReadTime() {
    int64_t sign = 1;
    if (Consume('-')) {
      sign = -1;
    } else {
      Consume('+');
    }
    std::optional<int64_t> hours = ReadNumber();
    if (!hours.has_value()) return std::nullopt;
    int64_t seconds = *hours * 3600;
    for (int64_t unit : {60, 1}) {
      if (!Consume(':')) break;
      std::optional<int64_t> part = ReadNumber();
      if (!part.has_value()) return std::nullopt;
      seconds += *part * unit;
    }
    return sign * seconds;
  }

  bool ReadDate(ZoneRules::DaylightRule::Date& date) {
    if (!Consume('M')) return false;
    std::optional<int64_t> month = ReadNumber();
    if (!month.has_value() || !Consume('.')) return false;
    std::optional<int64_t> week = ReadNumber();
    if (!week.has_value() || !Consume('.')) return false;
    std::optional<int64_t> weekday = ReadNumber();
    if (!weekday.has_value() || *month < 1 || *month > 12 || *week < 1 || *week > 5 ||
        *weekday > 6) {
      return false;
    }
    date.month = static_cast<unsigned>(*month);
    date.week = static_cast<unsigned>(*week);
    date.weekday = static_cast<unsigned>(*weekday);
    if (Consume('/')) {
      std::optional<int64_t> time = ReadTime();
      if (!time.has_value()) return false;
      date.time = *time;
    }
    return true;
  }

  std::string_view text_;
  size_t position_ = 0;
};

// Local seconds (epoch-like) at which `date` falls in `year`.
int64_t LocalTransition(int year, const ZoneRules::DaylightRule::Date& date) {
  using namespace std::chrono;
  year_month first{std::chrono::year{year}, month{date.month}};
  unsigned first_weekday = weekday{sys_days{first / 1}}.c_encoding();
  unsigned day = 1 + (date.weekday + 7 - first_weekday) % 7 + (date.week - 1) * 7;
  unsigned last_day = static_cast<unsigned>((first / last).day());
  while (day > last_day) day -= 7;
  int64_t days = sys_days{first / std::chrono::day{day}}.time_since_epoch().count();
  return days * kSecondsPerDay + date.time;
}

bool IsValidZoneName(std::string_view name) {
  if (name.empty() || name.front() == '/') return false;
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '/' || c == '_' || c == '-' || c == '+';
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const ZoneRules>> ZoneRules::Load(std::string_view name,
                                                         const std::string& directory) {
  if (!IsValidZoneName(name)) {
    return Status::InvalidArgument("'" + std::string(name) + "' is not a time zone name");
  }
  const std::string path = directory + "/" + std::string(name);
  // A folder of the database ("America") opens like a file, and reading it throws.
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Status::NotFound("'" + std::string(name) + "' is a folder of time zones in " +
                            directory + ", not a time zone");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status::NotFound("no time zone '" + std::string(name) + "' in " + directory);
  }
  std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  Result<ZoneRules> rules = Parse(bytes);
  if (!rules.ok()) {
    return Status(rules.status().code(),
                  "time zone '" + std::string(name) + "': " + rules.status().message());
  }
  return std::make_shared<const ZoneRules>(std::move(*rules));
}

Result<ZoneRules> ZoneRules::Parse(std::string_view bytes) {
  if (bytes.size() < kHeaderSize || bytes.substr(0, 4) != "TZif") {
    return Malformed("not a TZif file");
  }
  if (bytes[4] == '\0') return Status::Unsupported("version 1 zone files are not read");
  Counts first = ReadCounts(bytes, 0);
  size_t header = kHeaderSize + BlockSize(first, 4);
  if (bytes.size() < header + kHeaderSize || bytes.substr(header, 4) != "TZif") {
    return Malformed("no version 2 data block");
  }
  Counts counts = ReadCounts(bytes, header);
  if (counts.leap_seconds != 0) {
    return Status::Unsupported("zone files that count leap seconds (right/...) are not read");
  }
  if (counts.types == 0) return Malformed("no local time types");
  size_t at = header + kHeaderSize;
  size_t block_end = at + BlockSize(counts, 8);
  if (bytes.size() < block_end) return Malformed("truncated data block");

  ZoneRules rules;
  std::vector<int> type_offsets(counts.types);
  size_t types_at = at + counts.transitions * 9;
  for (size_t i = 0; i < counts.types; ++i) {
    type_offsets[i] = static_cast<int32_t>(ReadUint32(bytes, types_at + i * 6));
  }
  for (size_t i = 0; i < counts.transitions; ++i) {
    auto type = static_cast<uint8_t>(bytes[at + counts.transitions * 8 + i]);
    if (type >= counts.types) return Malformed("transition to an unknown local time type");
    rules.transitions_.push_back(ReadInt64(bytes, at + i * 8));
    rules.offsets_after_.push_back(type_offsets[type]);
  }
  if (!std::is_sorted(rules.transitions_.begin(), rules.transitions_.end())) {
    return Malformed("transitions out of order");
  }
  rules.offset_before_transitions_ = type_offsets[0];

  std::string_view footer = bytes.substr(block_end);
  if (footer.size() < 2 || footer.front() != '\n') return Malformed("no footer");
  size_t footer_end = footer.find('\n', 1);
  if (footer_end == std::string_view::npos) return Malformed("unterminated footer");
  std::string_view posix = footer.substr(1, footer_end - 1);
  if (!posix.empty()) {
    OTSYNC_RETURN_IF_ERROR(
        FooterParser(posix).Parse(rules.footer_standard_offset_, rules.footer_daylight_));
    rules.has_footer_ = true;
  }
  return rules;
}

int ZoneRules::OffsetAt(int64_t epoch_seconds) const {
  if (!transitions_.empty() && epoch_seconds < transitions_.front()) {
    return offset_before_transitions_;
  }
  if (!has_footer_ || (!transitions_.empty() && epoch_seconds < transitions_.back())) {
    if (transitions_.empty()) return offset_before_transitions_;
    auto after = std::upper_bound(transitions_.begin(), transitions_.end(), epoch_seconds);
    return offsets_after_[static_cast<size_t>(after - transitions_.begin()) - 1];
  }
  if (footer_daylight_ == nullptr) return footer_standard_offset_;
  const DaylightRule& rule = *footer_daylight_;
  int64_t local_days = (epoch_seconds + footer_standard_offset_) / kSecondsPerDay;
  int year = static_cast<int>(
      std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{local_days}}}.year());
  int64_t start = LocalTransition(year, rule.start) - footer_standard_offset_;
  int64_t end = LocalTransition(year, rule.end) - rule.daylight_offset;
  bool daylight = start < end ? (start <= epoch_seconds && epoch_seconds < end)
                              : !(end <= epoch_seconds && epoch_seconds < start);
  return daylight ? rule.daylight_offset : footer_standard_offset_;
}

int64_t ZoneRules::ToEpochSeconds(int64_t local_seconds) const {
  // Transitions are more than a day apart, so the offsets a day either side are the only two
  // that can apply.
  int before = OffsetAt(local_seconds - kSecondsPerDay);
  int after = OffsetAt(local_seconds + kSecondsPerDay);
  if (OffsetAt(local_seconds - before) == before) return local_seconds - before;
  if (OffsetAt(local_seconds - after) == after) return local_seconds - after;
  return local_seconds - before;
}

}  // namespace otsync::sync
