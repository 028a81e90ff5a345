// The scheduler's state, kept in SQLite at <data-dir>/schedule.sqlite (WAL mode, a busy timeout,
// a schema version): tasks, their instances and backfills. Tables and the meaning of each column
// are in docs/scheduling.md, "The store".
//
// Every write is one transaction (a SAVEPOINT, so writes grouped with Transaction() commit
// together); a process killed at any moment leaves every write either done or not done.
//
// Thread safety: none; the scheduler serialises its calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "schedule/task.h"

namespace otsync::schedule {

// waiting → running → succeeded | failed | killed; waiting ⇄ frozen; running → waiting when a
// failed attempt has retries left. docs/scheduling.md has the whole machine.
enum class InstanceState { kWaiting, kRunning, kSucceeded, kFailed, kKilled, kFrozen };

std::string_view InstanceStateName(InstanceState state);  // "waiting", "running", ...
Result<InstanceState> ParseInstanceState(std::string_view text);
bool IsFinished(InstanceState state);  // succeeded, failed or killed.

// What made an instance: its cycle, a person (run now), a backfill.
enum class InstanceKind { kScheduled, kManual, kBackfill };
std::string_view InstanceKindName(InstanceKind kind);  // "scheduled", "manual", "backfill"

struct Instance {
  int64_t id = 0;  // Assigned by the store, increasing, never reused.
  std::string task;
  InstanceKind kind = InstanceKind::kScheduled;
  int64_t scheduling_time = 0;  // Epoch seconds.
  std::string business_date;    // yyyymmdd.
  // The -p values, fixed when the instance was generated (a rerun gets the same).
  std::vector<std::pair<std::string, std::string>> parameters;
  // The values a person gave at run now in place of the task's ("name=expr ...", empty when
  // none); `parameters` already hold their results.
  std::string custom_parameters;
  std::optional<int64_t> window_start_millis;  // The otsstream reader's window, when it has one.
  std::optional<int64_t> window_end_millis;
  InstanceState state = InstanceState::kWaiting;
  int attempt = 0;                // Attempts started so far.
  int64_t not_before_micros = 0;  // A retry waits until then.
  int64_t pid = 0;                // The running attempt's process (and process group).
  int64_t created_micros = 0;
  int64_t started_micros = 0;  // Of the latest attempt.
  int64_t finished_micros = 0;
  int64_t kill_requested_micros = 0;  // Nonzero while a kill is under way.
  std::optional<int> exit_status;     // Of the latest attempt; a signal n is 128 + n.
  std::string log_path;
  std::string summary;   // The job summary, or why the instance failed.
  std::string progress;  // The latest progress object (one JSON line of --progress-file).
  std::optional<int64_t> backfill_id;

  bool operator==(const Instance&) const = default;
};

struct InstanceFilter {
  std::optional<std::string> task;
  std::optional<InstanceState> state;
  std::optional<int64_t> from;  // Scheduling times in [from, to).
  std::optional<int64_t> to;
  std::optional<int64_t> backfill_id;
  size_t limit = 10'000;
  // Ordered by scheduling time, then id: the earliest first, or with this the latest first (so
  // `limit` keeps the latest).
  bool newest_first = false;
};

// Which existing instances a backfill runs again.
enum class ReprocessPolicy { kNone, kFailedOnly, kAll };
std::string_view ReprocessPolicyName(ReprocessPolicy policy);  // "none", "failed", "all"
Result<ReprocessPolicy> ParseReprocessPolicy(std::string_view text);

struct Backfill {
  int64_t id = 0;
  std::string task;
  int64_t from = 0;  // Scheduling times [from, to), epoch seconds.
  int64_t to = 0;
  int parallelism = 1;  // Instances of this backfill running at once; 1 runs them in order.
  ReprocessPolicy reprocess = ReprocessPolicy::kNone;
  int64_t created_micros = 0;

  bool operator==(const Backfill&) const = default;
};

class ScheduleStore {
 public:
  // Opens or creates the database at `path`; kCorruption for a schema of a newer version.
  static Result<std::unique_ptr<ScheduleStore>> Open(const std::string& path);
  ~ScheduleStore();
  ScheduleStore(const ScheduleStore&) = delete;
  ScheduleStore& operator=(const ScheduleStore&) = delete;

  // Runs `body`; its writes commit together when it returns OK and are undone otherwise.
  Status Transaction(const std::function<Status()>& body);

  // kAlreadyExists for a name taken. `generated_through`: instances are generated for
  // scheduling times after it.
  Status InsertTask(const Task& task, int64_t generated_through);
  Status UpdateTask(const Task& task);  // kNotFound for an unknown name.
  Status DeleteTask(std::string_view name);
  Result<Task> GetTask(std::string_view name);  // kNotFound.
  Result<std::vector<Task>> ListTasks();        // By name.
  Result<int64_t> GeneratedThrough(std::string_view task);
  Status SetGeneratedThrough(std::string_view task, int64_t scheduling_time);

  // Returns the new id. kAlreadyExists for a second scheduled instance of a task and time.
  Result<int64_t> InsertInstance(const Instance& instance);
  Status UpdateInstance(const Instance& instance);  // By id; kNotFound.
  Result<Instance> GetInstance(int64_t id);         // kNotFound.
  // Ordered as `filter` says.
  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter);
  // The newest (highest id) instance of `task` at `scheduling_time`, if any.
  Result<std::optional<Instance>> LatestInstanceAt(std::string_view task, int64_t scheduling_time);
  // The instance that self-dependency waits for: of the instances of `task` scheduled before
  // `scheduling_time`, the latest time's newest instance.
  Result<std::optional<Instance>> PreviousInstance(std::string_view task, int64_t scheduling_time);
  // Finished instances (succeeded, failed, killed) whose log is kept (`log_path` not empty) and
  // that finished before `finished_before` (micros), the earliest finished first, at most `limit`.
  Result<std::vector<Instance>> ListFinishedWithLogs(int64_t finished_before, size_t limit);

  Result<int64_t> InsertBackfill(const Backfill& backfill);
  Result<Backfill> GetBackfill(int64_t id);  // kNotFound.

 private:
  struct Database;
  explicit ScheduleStore(std::unique_ptr<Database> database);
  std::unique_ptr<Database> database_;
};

}  // namespace otsync::schedule
