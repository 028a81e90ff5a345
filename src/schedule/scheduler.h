// The scheduler: tasks on cycles, their instances run as child `otsync run` processes, kill,
// rerun, freeze, backfill and live progress — the library `otsync serve` calls. The state
// machine, the restart rule and the tables are in docs/scheduling.md ("The scheduler").
//
//   Open(data dir) → Start() (a thread that calls Tick() every `tick_micros`) → ... → Stop()
//
// One Tick: generate the instances whose scheduling time has come (catching up, in order, on
// every time missed while the scheduler was down), reap ended children (succeeded, failed —
// retried per the task — or killed), escalate kills past their grace period, read the running
// instances' progress files, then start waiting instances in scheduling-time order while fewer
// than `max_running` run: an instance starts when its time has come (a run-now instance need
// not wait for it), its task is not frozen, its retry wait is over, its
// backfill's parallelism allows, and, for a self-dependent task, the task's previous instance
// succeeded.
//
// Files under the data directory: schedule.sqlite (the store), schedule.lock (held while open:
// one scheduler per data directory), jobs/<task>/<id>.json (the job script of the latest
// attempt), logs/<task>/<id>.log (every attempt's output, appended), logs/<task>/<id>.progress
// (the latest attempt's progress, JSON lines).
//
// Thread safety: every method may be called from any thread; one mutex serialises them and the
// tick. Subscribers are called without that mutex held, from the tick's thread or the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "schedule/instance_runner.h"
#include "schedule/schedule_store.h"
#include "schedule/task.h"

namespace otsync::schedule {

// The largest resource group `otsync serve --max-running` accepts. A burst of minute tasks needs
// a slot per task to start them all at their time (500 tasks over 5 start minutes: 100 at once);
// the server holds no descriptor per running child, so the bound is the machine's, not ours.
inline constexpr int kMaxRunningLimit = 256;
// `otsync serve --log-retention-days`' default: 500 tasks on 5-minute cycles leave 144,000 logs
// a day, so logs are not kept forever unless asked.
inline constexpr int64_t kDefaultLogRetentionDays = 30;

struct SchedulerOptions {
  std::shared_ptr<const Clock> clock;  // Null: the real clock.
  std::string otsync_binary;           // The `otsync` executable the instances run.
  // The readers and writers task scripts may name (the otsync binary's set); required, and must
  // outlive the scheduler.
  const sync::PluginRegistry* plugins = nullptr;
  std::shared_ptr<InstanceLauncher> launcher;    // Null: a ProcessLauncher.
  int max_running = 2;                           // Instances running at once (the resource group).
  int64_t kill_grace_micros = 5'000'000;         // TERM, then KILL after this long.
  int64_t tick_micros = 200'000;                 // How often Start()'s thread ticks.
  int64_t stream_retention_seconds = 24 * 3600;  // For ValidateTask.
  size_t catch_up_limit = 10'000;  // Missed instances generated per task and tick, oldest first.
  // How long the log, progress and job files of a finished instance are kept after it finished
  // (0: forever). The instance's record stays; its log reads as deleted. A rerun writes a new log.
  int64_t log_retention_micros = kDefaultLogRetentionDays * 24 * 3600 * 1'000'000;
};

// What a task create or update answers: the warnings of an accepted task.
struct TaskSaved {
  Task task;
  std::vector<std::string> warnings;
};

struct LogChunk {
  std::string data;
  int64_t offset = 0;       // Where `data` starts.
  int64_t next_offset = 0;  // Where to read on (follow): offset + data.size().
  int64_t size = 0;         // The log's size now.
  bool finished = false;    // The instance is finished: the log grows no more.
};

struct BackfillRequest {
  std::string task;
  // Either scheduling times [from, to) (epoch seconds), or the business dates first..last
  // (yyyymmdd, both included), which are the scheduling times of the following days.
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  std::string first_business_date;
  std::string last_business_date;
  int parallelism = 1;
  ReprocessPolicy reprocess = ReprocessPolicy::kNone;
};

struct PlannedInstance {
  ResolvedInstance values;
  // Whether the backfill runs it; an existing instance it leaves alone is named in `note`.
  bool runs = true;
  std::optional<int64_t> existing_instance;
  std::string note;
};

struct BackfillPlan {
  std::string task;
  int64_t from = 0;  // The scheduling times [from, to) the plan covers.
  int64_t to = 0;
  std::vector<PlannedInstance> instances;  // Every scheduling time in the range, in order.
};

struct BackfillStarted {
  Backfill backfill;
  std::vector<int64_t> instance_ids;  // The instances created, in scheduling-time order.
};

// A change a subscriber hears of: a new instance (generated, run now or of a backfill), a state
// change or a new progress object of a running attempt.
struct InstanceEvent {
  int64_t instance_id = 0;
  std::string task;
  InstanceState state = InstanceState::kWaiting;
  std::string progress;  // The latest progress JSON object; empty before the first.
};

class Scheduler {
 public:
  // Opens (creating) <data_dir>/schedule.sqlite and takes the data directory's schedule lock
  // (kAborted when another scheduler holds it). Instances recorded `running` are recovered here
  // (docs/scheduling.md, "After a restart").
  static Result<std::unique_ptr<Scheduler>> Open(const std::string& data_dir,
                                                 SchedulerOptions options);
  ~Scheduler();  // Stop()s.

  Status Start();  // The tick thread.
  // Ends the tick thread, then ends every running child (TERM, KILL after the grace period) and
  // records those instances `waiting`: the next Start runs them again.
  void Stop();
  // One pass of the loop (tests call it with a manual clock instead of Start()).
  Status Tick();

  // Tasks. Create and update validate (ValidateTask) and return the warnings; a new task's first
  // instance is its first scheduling time after now. Remove refuses while an instance runs;
  // the task's finished instances stay listed.
  Result<TaskSaved> CreateTask(const Task& task);
  Result<TaskSaved> UpdateTask(const Task& task);
  Status RemoveTask(const std::string& name);
  Result<Task> GetTask(const std::string& name);
  Result<std::vector<Task>> ListTasks();
  Status SetTaskFrozen(const std::string& name, bool frozen);

  // Instances.
  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter);
  Result<Instance> GetInstance(int64_t id);
  Result<LogChunk> ReadLog(int64_t id, int64_t offset, int64_t max_bytes);
  // A running instance gets TERM, then KILL after the grace period, and is `killed` once it
  // ended; a waiting or frozen one is `killed` at once. kInvalidArgument for a finished one.
  Status Kill(int64_t id);
  // A finished instance waits to run again with the same parameters, as the task's rerun policy
  // allows (kInvalidArgument naming the policy otherwise).
  Result<Instance> Rerun(int64_t id);
  Status Freeze(int64_t id);    // waiting → frozen.
  Status Unfreeze(int64_t id);  // frozen → waiting.
  // A new instance of `task` as scheduled at `scheduling_time`, to run as soon as a slot is free.
  // `custom_parameters` ("name=expr ...", ResolveInstance) replace the task's parameters of those
  // names for this instance only; they are kept with it (Instance::custom_parameters) and a rerun
  // runs with the same values. Values that do not resolve are refused (kInvalidArgument naming
  // the parameter) and no instance is created.
  Result<Instance> RunNow(const std::string& task, int64_t scheduling_time,
                          const std::string& custom_parameters = "");

  // Backfill: the plan lists every scheduling time in the range with its values and whether it
  // runs (per the reprocess policy); StartBackfill creates exactly the plan's running instances.
  Result<BackfillPlan> PlanBackfill(const BackfillRequest& request);
  Result<BackfillStarted> StartBackfill(const BackfillRequest& request);
  // A backfill started earlier and its instances, in scheduling-time order; kNotFound.
  Result<std::pair<Backfill, std::vector<Instance>>> GetBackfill(int64_t id);

  // The next `count` instances after now of a saved task, or of a draft (validated first).
  Result<std::vector<ResolvedInstance>> PreviewNext(const std::string& task, size_t count);
  Result<std::vector<ResolvedInstance>> PreviewNext(const Task& draft, size_t count);

  // `callback` hears every InstanceEvent until Unsubscribe; returns the subscription's id.
  int SubscribeProgress(std::function<void(const InstanceEvent&)> callback);
  void Unsubscribe(int subscription);

 private:
  class Impl;
  explicit Scheduler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::schedule
