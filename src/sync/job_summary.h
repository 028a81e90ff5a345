// The end-of-job summary block (DataX's, docs/datax-semantics.md §6.5, with English labels) plus
// where the data went.
#pragma once

#include <cstdint>
#include <string>

#include "sync/local_time.h"

namespace otsync::sync {

struct JobSummary {
  int64_t start_micros = 0;
  int64_t end_micros = 0;
  // The reading and writing phase (DataX's transfer time); rates divide by it, at least 1 s.
  int64_t transfer_micros = 0;
  int64_t records_read = 0;         // Including the reader's dirty records.
  int64_t read_failed_records = 0;  // The reader's dirty records.
  int64_t bytes_read = 0;
  int64_t dirty_records = 0;  // Read and write failures.
  std::string destination;    // Writer::DescribeDestination.
  // Set when the window held no changes: why the partition is empty, and where the source's
  // changes are (Reader::DescribeEmptyWindow).
  std::string empty_window_note;
};

// Lines of "%-26s: %19s" (the first two "%-26s: %-18s"), each ending in '\n':
//   Job start time            : 2015-12-17 11:20:15
//   Job end time              : 2015-12-17 11:20:25
//   Total time                :                 10s
//   Average flow              :              205B/s
//   Write speed               :              5rec/s
//   Records read              :                  50
//   Read/write failures       :                   0
//   Destination               : <destination>
//   No changes                : <empty_window_note>     (only when set)
std::string FormatJobSummary(const JobSummary& summary, const TimeZone& zone);

// The summary of a run that found its window already committed at the destination (nothing
// read, nothing written; the checkpoints published), in the same layout:
//   Window                    : table 'person', window [20171019000000, 20171019010000) ...
//   Result                    : already committed, not written again
//   Rows in the window        :                  50
//   Destination               : <destination>
std::string FormatCommittedWindowSummary(const std::string& window, int64_t rows,
                                         const std::string& destination);

}  // namespace otsync::sync
