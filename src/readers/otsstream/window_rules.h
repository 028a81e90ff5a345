// The runtime window rules of DataX's otsstreamreader (docs/datax-semantics.md §1.3): a window
// [start, end) must start late enough that the stream still holds it and end early enough that
// every machine's clock has passed it. Messages are DataX's, word for word.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace otsync::readers::otsstream {

// The two margins of docs/datax-semantics.md §1.3. Tests may shrink them; job scripts cannot reach
// them (DataX lets JVM properties BEFORE_OFFSET_TIME_MILLIS / AFTER_OFFSET_TIME_MILLIS do the
// same).
struct WindowMargins {
  int64_t before_expiration_millis = 600'000;  // start >= now - retention + this
  int64_t after_end_millis = 300'000;          // end <= now - this
};

// "2017-10-19T08:05Z": UTC, minutes precision (Java "yyyy-MM-dd'T'HH:mm'Z'").
std::string FormatIsoMinuteUtc(int64_t epoch_millis);

// kInvalidArgument with DataX's message when the window breaks a rule; the start is checked
// first. `expiration_hours` is the stream's retention.
Status CheckWindow(int64_t start_millis, int64_t end_millis, int64_t now_millis,
                   int64_t expiration_hours, const WindowMargins& margins);

}  // namespace otsync::readers::otsstream
