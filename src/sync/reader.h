// Reader: the source side of a job. The engine drives one Reader per job:
//
//   Prepare()                      -> validates against the source (table, stream, the window
//                                     rules) and names the window; changes nothing at the source
//   writer.FindCommittedWindow(key)
//     found:     PublishCheckpoints(found.end_checkpoints), nothing is read
//     not found: Split(advice)     -> one task per shard, with lineage as task dependencies
//                RunTask(task) ... -> every task, each once, a task only after its dependencies
//                                     finished OK; up to `concurrent` tasks at a time
//                EndCheckpoints()  -> after every task finished OK, the serialized checkpoints
//                                     the next window starts from
//                writer.Commit({key, end_checkpoints})
//                PublishCheckpoints(end_checkpoints), only after Commit returned OK
//
// Contracts:
//  - Nothing a reader does before PublishCheckpoints makes the window's end checkpoints visible
//    to the next job (invariant 4: a job that dies anywhere before or inside Commit can be run
//    again and reads the same records). Split may clear this window's stale end checkpoints
//    (DataX's rerun rule): Split runs only when the window was not committed, so nothing
//    committed was based on them.
//  - EndCheckpoints returns a self-contained string (the reader chooses the encoding): the
//    writer stores it with the rows, and PublishCheckpoints must accept it in a later process.
//    PublishCheckpoints is idempotent.
//  - RunTask is called from several threads at once, for different tasks. Within a task,
//    records are emitted in source order (per shard: commit order).
//  - A task returns promptly with kAborted once `stop` is requested or RecordSink::Emit returns
//    kAborted; the engine then discards the whole window.
#pragma once

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/record.h"
#include "sync/writer.h"

namespace otsync::sync {

// One unit of reading, usually one shard of the stream.
struct ReaderTask {
  std::string id;  // Unique within the job, e.g. the shard id.
  // Ids of tasks of the same Split that must finish OK before this one starts (a split child
  // depends on its parent, a merge child on both). An id not among the tasks is an error.
  std::vector<std::string> depends_on;
};

// Where a task delivers its output. Thread-compatible: each running task gets its own sink.
class RecordSink {
 public:
  virtual ~RecordSink() = default;

  // Hands one record to the job. Blocks while the job's bounded queue is full or the rate limit
  // is reached (back-pressure). Returns kAborted when the job is stopping; the task must then
  // stop reading and return.
  virtual Status Emit(Record record) = 0;

  // A record to fill and hand to Emit. It may be one the writer is done with: its `fields` can
  // hold the values of an earlier record, so the caller sets the field count (resize) and every
  // field (copy-assigning a Field, or its Set* methods, keep the string buffer they overwrite).
  // Reusing them saves allocating a field vector and its strings per record. Default: a new
  // Record.
  virtual Record TakeRecord() { return Record(); }

  // A record the reader could not produce (undecodable cell, unsupported type), counted against
  // the job's errorLimit with its reason. Returns kAborted when the job is stopping, e.g.
  // because this record exceeded the limit.
  virtual Status EmitDirty(DirtyRecord record) = 0;

  // How far behind the end of the window this task is, for the progress line: the window end
  // minus the write time of the last record read (0 once caught up). Optional.
  virtual void ReportLagMillis(int64_t lag_millis) = 0;
};

class Reader {
 public:
  virtual ~Reader() = default;

  // Checks the source and the window; kInvalidArgument for a bad configuration (window rules,
  // missing table, stream off) with a message naming what and why.
  virtual Result<WindowKey> Prepare() = 0;

  // The tasks of the window. `advice` is the job's `concurrent`; it does not bound the number
  // of tasks (every task of the window gets to run, as lineage allows).
  virtual Result<std::vector<ReaderTask>> Split(int advice) = 0;

  // Reads one task to its end of the window, emitting into `sink`.
  virtual Status RunTask(const ReaderTask& task, RecordSink& sink, std::stop_token stop) = 0;

  // REQUIRED: every task of Split finished OK.
  virtual Result<std::string> EndCheckpoints() = 0;

  // Makes `end_checkpoints` (from EndCheckpoints of this or an earlier run of the same window)
  // the start of the next window at the source.
  virtual Status PublishCheckpoints(const std::string& end_checkpoints) = 0;

  // Called after a window that produced no records was committed: what would help a person find
  // the changes they expected, e.g. when the source's oldest record and the first one after the
  // window were written. Best effort and cheap (a few requests); empty when there is nothing to
  // say. Never fails the job.
  virtual std::string DescribeEmptyWindow() { return {}; }
};

}  // namespace otsync::sync
