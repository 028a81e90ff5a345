// Writer: the destination side of a job. The engine drives one Writer per job:
//
//   Prepare()                         -> checks the destination before any data is read
//   FindCommittedWindow(window)       -> was this exact window already committed? (resume rule)
//   Write(batch, dirty) ...           -> stages converted rows; nothing is visible yet
//   Commit(window)                    -> makes every staged row visible atomically, together
//                                        with the record of the window it wrote
//   or Abort()                        -> discards everything staged
//
// Contracts:
//  - Nothing a Writer stages becomes visible before Commit returns OK; after a failed or killed
//    job the destination is exactly as it was (invariant 4).
//  - Commit records `window` in the same transaction as the rows, so a job that died after the
//    commit but before publishing its checkpoints can recognise the window on the next run.
//  - Write is called by one thread at a time (the engine serialises its calls: from its writer
//    thread, or from the reader tasks' threads under one lock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/record.h"

namespace otsync::sync {

// What identifies an exported window at the destination.
struct WindowKey {
  std::string source_table;  // Tablestore table the window was read from.
  std::string stream_id;
  int64_t start_millis = 0;  // [start, end)
  int64_t end_millis = 0;
  bool operator==(const WindowKey&) const = default;
};

struct CommittedWindow {
  WindowKey key;
  // The reader's end checkpoints, opaque to the writer (serialized by the reader).
  std::string end_checkpoints;
  int64_t rows = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;

  virtual Status Prepare() = 0;

  // The committed window with this key at this writer's destination (table and partition), or
  // nullopt. Errors only when the destination cannot be read.
  virtual Result<std::optional<CommittedWindow>> FindCommittedWindow(const WindowKey& key) = 0;

  // Converts and stages `records`. Records that do not convert go to `*dirty` with their reason
  // and are not staged; the returned Status is an error only for failures of the destination.
  virtual Status Write(const std::vector<Record>& records, std::vector<DirtyRecord>* dirty) = 0;

  virtual Status Commit(const CommittedWindow& window) = 0;
  virtual void Abort() = 0;

  // Where the data went, for the job summary ("partition pt=20171019 of table person in
  // /data/warehouse") and how to query it.
  virtual std::string DescribeDestination() const = 0;

  // Things the job log should show, each once, in the order they arose (e.g. "the reader gives
  // 5 fields for 6 columns, so sequenceinfo is NULL"). Only appended to, by Write; read by the
  // thread that calls Write, between calls. None by default.
  virtual const std::vector<std::string>& warnings() const {
    static const std::vector<std::string> kNone;
    return kNone;
  }
};

}  // namespace otsync::sync
