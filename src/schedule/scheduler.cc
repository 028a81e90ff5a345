#include "schedule/scheduler.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/durable_file.h"
#include "schedule/calendar_arithmetic.h"

namespace otsync::schedule {
namespace {

// Log retention works in batches, so that a first start over years of logs does not hold the
// scheduler's lock for long, and looks again every 10 minutes once it has caught up.
constexpr size_t kLogDeletionBatch = 500;
constexpr int64_t kLogDeletionIntervalMicros = 10LL * 60 * 1'000'000;

// A time in the scheduler's own log lines: the wall clock of the task's zone and its offset then,
// as the instance's scheduling time is shown ("2025-11-01 10:35:00 -05:00").
std::string WallClock(int64_t micros, const sync::TimeZone& zone) {
  const int64_t seconds = micros / 1'000'000;
  const sync::CivilTime time = sync::ToCivilTime(seconds, zone);
  const int offset = zone.OffsetAt(seconds);
  const int magnitude = offset < 0 ? -offset : offset;
  char text[48];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u %02d:%02d:%02d %c%02d:%02d", time.year,
                time.month, time.day, time.hour, time.minute, time.second, offset < 0 ? '-' : '+',
                magnitude / 3600, magnitude / 60 % 60);
  return text;
}

// The zone of a task's log lines: its own, or Asia/Shanghai when it is gone or unreadable.
sync::TimeZone LogZone(const Task& task) {
  Result<sync::TimeZone> zone = TaskZone(task);
  return zone.ok() ? *zone : sync::TimeZone::Shanghai();
}
sync::TimeZone LogZone(const Result<Task>& task) {
  return task.ok() ? LogZone(*task) : sync::TimeZone::Shanghai();
}

// Whether a failed `attempt` (1 for the first) is retried by itself: while retries are left,
// unless the task's rerun policy is never — a task that must not run twice is not rerun
// automatically either.
bool AllowsAutomaticRetry(const Task& task, int attempt) {
  return task.rerun_policy != RerunPolicy::kNever && attempt <= task.retry_count;
}

Status InvalidTransition(const Instance& instance, const std::string& action) {
  return Status::FailedPrecondition("instance " + std::to_string(instance.id) + " is " +
                                    std::string(InstanceStateName(instance.state)) + ": cannot " +
                                    action + " it");
}

}  // namespace

class Scheduler::Impl {
 public:
  Impl(std::string data_dir, SchedulerOptions options, std::unique_ptr<ScheduleStore> store,
       int lock_fd)
      : data_dir_(std::move(data_dir)),
        options_(std::move(options)),
        store_(std::move(store)),
        lock_fd_(lock_fd) {
    if (!options_.clock) options_.clock = DefaultClock();
    if (!options_.launcher) options_.launcher = std::make_shared<ProcessLauncher>();
  }
  ~Impl() {
    Stop();
    close(lock_fd_);
  }

  // --- the loop -------------------------------------------------------------------------------

  Status Recover() {
    std::lock_guard lock(mutex_);
    InstanceFilter filter;
    filter.state = InstanceState::kRunning;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> running, store_->ListInstances(filter));
    for (Instance& instance : running) {
      // A child of the scheduler that died: it may still run (it leads its own process group).
      // It is ended, and the instance runs again; the warehouse recognises a window the child
      // had already committed, so nothing is written twice.
      const std::string marker = JobFile(instance);
      if (options_.launcher->IsRunning(instance.pid, marker)) {
        options_.launcher->Signal(instance.pid, SIGKILL);
        for (int i = 0; i < 100 && options_.launcher->IsRunning(instance.pid, marker); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      AppendToLog(instance, "=== the scheduler restarted while attempt " +
                                std::to_string(instance.attempt) +
                                " ran; the instance runs again ===");
      instance.state = InstanceState::kWaiting;
      instance.attempt = std::max(0, instance.attempt - 1);
      instance.pid = 0;
      instance.kill_requested_micros = 0;
      instance.not_before_micros = 0;
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
    }
    return Status::OK();
  }

  Status Start() {
    std::lock_guard lock(thread_mutex_);
    if (thread_.joinable()) return Status::OK();
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
    return Status::OK();
  }

  void Stop() {
    std::thread thread;
    {
      std::lock_guard lock(thread_mutex_);
      stopping_ = true;
      thread = std::move(thread_);
    }
    wake_.notify_all();
    // Joined without thread_mutex_: the loop takes it to see `stopping_`.
    if (thread.joinable()) thread.join();
    StopChildren();
  }

  void Loop() {
    std::unique_lock lock(thread_mutex_);
    while (!stopping_) {
      lock.unlock();
      (void)Tick();
      lock.lock();
      WaitForNextTick(lock);
    }
  }

  // Waits `tick_micros`, or less: a running child that ends is noticed within kExitCheckMicros,
  // so that its slot goes to the next waiting instance at once. (With a hundred instances due in
  // one minute and a few slots, waiting for the tick after each exit delayed the last start by
  // seconds.) REQUIRED: `lock` holds thread_mutex_.
  void WaitForNextTick(std::unique_lock<std::mutex>& lock) {
    constexpr auto kExitCheck = std::chrono::milliseconds(10);
    const auto tick_end =
        std::chrono::steady_clock::now() + std::chrono::microseconds(options_.tick_micros);
    while (!stopping_) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= tick_end) return;
      std::vector<int64_t> watched;
      {
        std::lock_guard pids(watched_mutex_);
        watched = watched_pids_;
      }
      const auto wait = watched.empty() ? tick_end - now
                                        : std::min<std::chrono::steady_clock::duration>(
                                              tick_end - now, kExitCheck);
      if (wake_.wait_for(lock, wait, [&] { return stopping_; })) return;
      for (int64_t pid : watched) {
        if (options_.launcher->HasEnded(pid)) return;
      }
    }
  }

  // The children WaitForNextTick watches: those running after StartReady.
  void WatchChildren(const std::vector<Instance>& running) {
    std::vector<int64_t> pids;
    for (const Instance& instance : running) {
      if (instance.state == InstanceState::kRunning && instance.pid > 0) {
        pids.push_back(instance.pid);
      }
    }
    std::lock_guard lock(watched_mutex_);
    watched_pids_ = std::move(pids);
  }

  void StopChildren() {
    std::vector<InstanceEvent> events;
    {
      std::lock_guard lock(mutex_);
      InstanceFilter filter;
      filter.state = InstanceState::kRunning;
      Result<std::vector<Instance>> running = store_->ListInstances(filter);
      if (!running.ok()) return;
      for (const Instance& instance : *running) {
        options_.launcher->Signal(instance.pid, SIGTERM);
      }
      for (Instance instance : *running) {
        // Real time, whatever the scheduler's clock: this waits for processes.
        const auto give_up = std::chrono::steady_clock::now() +
                             std::chrono::microseconds(options_.kill_grace_micros);
        std::optional<int> exit_status;
        while (!(exit_status = options_.launcher->Poll(instance.pid)) &&
               std::chrono::steady_clock::now() < give_up) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!exit_status) {
          options_.launcher->Signal(instance.pid, SIGKILL);
          while (!options_.launcher->Poll(instance.pid)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }
        AppendToLog(instance,
                    "=== the scheduler stopped; the instance runs again at its next "
                    "start ===");
        instance.state = InstanceState::kWaiting;
        instance.attempt = std::max(0, instance.attempt - 1);
        instance.pid = 0;
        instance.kill_requested_micros = 0;
        if (store_->UpdateInstance(instance).ok()) events.push_back(EventOf(instance));
      }
    }
    Publish(events);
  }

  Status Tick() {
    std::vector<InstanceEvent> events;
    Status status;
    {
      std::lock_guard lock(mutex_);
      const int64_t now = options_.clock->NowMicros();
      status = Generate(now, events);
      if (status.ok()) status = Reap(now, events);
      if (status.ok()) status = ReadProgress(events);
      if (status.ok()) status = StartReady(now, events);
      if (status.ok()) status = DeleteExpiredLogs(now);
    }
    Publish(events);
    return status;
  }

  // --- tasks ----------------------------------------------------------------------------------

  Result<TaskSaved> SaveTask(const Task& task, bool create) {
    std::lock_guard lock(mutex_);
    TaskCheckOptions check;
    check.now_seconds = options_.clock->NowMicros() / 1'000'000;
    check.stream_retention_seconds = options_.stream_retention_seconds;
    check.plugins = options_.plugins;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> warnings, ValidateTask(task, check));
    if (create) {
      OTSYNC_RETURN_IF_ERROR(store_->InsertTask(task, check.now_seconds));
    } else {
      OTSYNC_RETURN_IF_ERROR(store_->UpdateTask(task));
    }
    return TaskSaved{task, std::move(warnings)};
  }

  Status RemoveTask(const std::string& name) {
    std::lock_guard lock(mutex_);
    InstanceFilter filter;
    filter.task = name;
    filter.state = InstanceState::kRunning;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> running, store_->ListInstances(filter));
    if (!running.empty()) {
      return Status::FailedPrecondition("task '" + name + "' has a running instance (" +
                                        std::to_string(running.front().id) + "): kill it first");
    }
    return store_->Transaction([&] {
      OTSYNC_RETURN_IF_ERROR(store_->DeleteTask(name));
      // Waiting and frozen instances of a removed task would never run.
      for (InstanceState state : {InstanceState::kWaiting, InstanceState::kFrozen}) {
        filter.state = state;
        OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> left, store_->ListInstances(filter));
        for (Instance& instance : left) {
          instance.state = InstanceState::kKilled;
          instance.summary = "the task was removed";
          instance.finished_micros = options_.clock->NowMicros();
          OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
        }
      }
      return Status::OK();
    });
  }

  Result<Task> GetTask(const std::string& name) {
    std::lock_guard lock(mutex_);
    return store_->GetTask(name);
  }

  Result<std::vector<Task>> ListTasks() {
    std::lock_guard lock(mutex_);
    return store_->ListTasks();
  }

  Status SetTaskFrozen(const std::string& name, bool frozen) {
    std::lock_guard lock(mutex_);
    OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(name));
    task.frozen = frozen;
    return store_->UpdateTask(task);
  }

  // --- instances ------------------------------------------------------------------------------

  Result<std::vector<Instance>> ListInstances(const InstanceFilter& filter) {
    std::lock_guard lock(mutex_);
    return store_->ListInstances(filter);
  }

  Result<Instance> GetInstance(int64_t id) {
    std::lock_guard lock(mutex_);
    return store_->GetInstance(id);
  }

  Result<std::pair<Backfill, std::vector<Instance>>> GetBackfill(int64_t id) {
    std::lock_guard lock(mutex_);
    OTSYNC_ASSIGN_OR_RETURN(Backfill backfill, store_->GetBackfill(id));
    InstanceFilter filter;
    filter.backfill_id = id;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> instances, store_->ListInstances(filter));
    return std::make_pair(std::move(backfill), std::move(instances));
  }

  Result<LogChunk> ReadLog(int64_t id, int64_t offset, int64_t max_bytes) {
    Instance instance;
    {
      std::lock_guard lock(mutex_);
      OTSYNC_ASSIGN_OR_RETURN(instance, store_->GetInstance(id));
    }
    if (instance.log_path.empty()) {
      return Status::NotFound("the log of instance " + std::to_string(id) +
                              " was deleted: otsync serve keeps an instance's log for " +
                              RetentionText() +
                              " after it finished (--log-retention-days); rerun it for a new one");
    }
    LogChunk chunk;
    chunk.finished = IsFinished(instance.state);
    chunk.size = FileSize(instance.log_path);
    chunk.offset = std::clamp<int64_t>(offset, 0, chunk.size);
    chunk.data = ReadFileRange(instance.log_path, chunk.offset, std::max<int64_t>(0, max_bytes));
    chunk.next_offset = chunk.offset + static_cast<int64_t>(chunk.data.size());
    return chunk;
  }

  Status Kill(int64_t id) {
    std::vector<InstanceEvent> events;
    {
      std::lock_guard lock(mutex_);
      OTSYNC_ASSIGN_OR_RETURN(Instance instance, store_->GetInstance(id));
      const int64_t now = options_.clock->NowMicros();
      switch (instance.state) {
        case InstanceState::kRunning:
          if (instance.kill_requested_micros != 0) return Status::OK();
          options_.launcher->Signal(instance.pid, SIGTERM);
          instance.kill_requested_micros = now;
          AppendToLog(instance, "=== kill requested at " +
                                    WallClock(now, LogZone(store_->GetTask(instance.task))) +
                                    " ===");
          OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
          break;
        case InstanceState::kWaiting:
        case InstanceState::kFrozen:
          instance.state = InstanceState::kKilled;
          instance.finished_micros = now;
          instance.summary = "killed before it ran";
          AppendToLog(instance, "=== killed before it ran, at " +
                                    WallClock(now, LogZone(store_->GetTask(instance.task))) +
                                    " ===");
          OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
          events.push_back(EventOf(instance));
          break;
        default:
          return InvalidTransition(instance, "kill");
      }
    }
    Publish(events);
    return Status::OK();
  }

  Result<Instance> Rerun(int64_t id) {
    Instance instance;
    {
      std::lock_guard lock(mutex_);
      OTSYNC_ASSIGN_OR_RETURN(instance, store_->GetInstance(id));
      if (!IsFinished(instance.state)) return InvalidTransition(instance, "rerun");
      OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(instance.task));
      if (task.rerun_policy == RerunPolicy::kNever ||
          (task.rerun_policy == RerunPolicy::kAfterFailure &&
           instance.state == InstanceState::kSucceeded)) {
        return Status::FailedPrecondition("task '" + task.name + "' allows reruns " +
                                          (task.rerun_policy == RerunPolicy::kNever
                                               ? std::string("never")
                                               : std::string("only after a failure")) +
                                          "; instance " + std::to_string(id) + " " +
                                          std::string(InstanceStateName(instance.state)));
      }
      AppendToLog(instance, "=== rerun requested at " +
                                WallClock(options_.clock->NowMicros(), LogZone(task)) + " ===");
      instance.state = InstanceState::kWaiting;
      instance.attempt = 0;
      instance.not_before_micros = 0;
      instance.kill_requested_micros = 0;
      instance.exit_status.reset();
      instance.summary.clear();
      instance.progress.clear();
      instance.finished_micros = 0;
      instance.pid = 0;
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
    }
    Publish({EventOf(instance)});
    return instance;
  }

  Status SetFrozen(int64_t id, bool frozen) {
    Instance instance;
    {
      std::lock_guard lock(mutex_);
      OTSYNC_ASSIGN_OR_RETURN(instance, store_->GetInstance(id));
      InstanceState from = frozen ? InstanceState::kWaiting : InstanceState::kFrozen;
      if (instance.state != from)
        return InvalidTransition(instance, frozen ? "freeze" : "unfreeze");
      instance.state = frozen ? InstanceState::kFrozen : InstanceState::kWaiting;
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
    }
    Publish({EventOf(instance)});
    return Status::OK();
  }

  Result<Instance> RunNow(const std::string& task_name, int64_t scheduling_time,
                          const std::string& custom_parameters) {
    Result<Instance> created = CreateManualInstance(task_name, scheduling_time, custom_parameters);
    if (created.ok()) Publish({EventOf(*created)});
    return created;
  }

  Result<Instance> CreateManualInstance(const std::string& task_name, int64_t scheduling_time,
                                        const std::string& custom_parameters) {
    std::lock_guard lock(mutex_);
    OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(task_name));
    if (!custom_parameters.empty()) {
      // Refused here rather than recorded as a failed instance: a person is waiting for the answer.
      OTSYNC_ASSIGN_OR_RETURN(sync::TimeZone zone, TaskZone(task));
      OTSYNC_RETURN_IF_ERROR(Resolve(task, zone, scheduling_time, "0", custom_parameters).status());
    }
    OTSYNC_ASSIGN_OR_RETURN(
        int64_t id, CreateInstance(task, scheduling_time, InstanceKind::kManual, std::nullopt,
                                   InstanceState::kWaiting, custom_parameters));
    return store_->GetInstance(id);
  }

  // --- backfill -------------------------------------------------------------------------------

  Result<BackfillPlan> Plan(const BackfillRequest& request) {
    OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(request.task));
    OTSYNC_ASSIGN_OR_RETURN(sync::TimeZone zone, TaskZone(task));
    BackfillPlan plan;
    plan.task = task.name;
    if (request.from.has_value() && request.to.has_value()) {
      plan.from = *request.from;
      plan.to = *request.to;
    } else if (!request.first_business_date.empty() && !request.last_business_date.empty()) {
      OTSYNC_ASSIGN_OR_RETURN(sync::CivilTime first,
                              ParseBusinessDate(request.first_business_date));
      OTSYNC_ASSIGN_OR_RETURN(sync::CivilTime last, ParseBusinessDate(request.last_business_date));
      // Business date D is the instances scheduled on D + 1.
      plan.from = BackfillInstance(first, {}, zone).scheduling_time;
      plan.to = BackfillInstance(AddDays(last, 1), {}, zone).scheduling_time;
    } else {
      return Status::InvalidArgument(
          "a backfill needs a range: scheduling times from and to, or the first and last "
          "business dates");
    }
    if (plan.to <= plan.from) {
      return Status::InvalidArgument("the backfill's range is empty: it ends before it starts");
    }
    if (request.parallelism < 1 || request.parallelism > 64) {
      return Status::InvalidArgument("parallelism: expected 1 to 64");
    }
    std::vector<int64_t> times = SchedulingTimesBetween(task.cycle, zone, plan.from, plan.to);
    if (times.size() > 100'000) {
      return Status::InvalidArgument("the backfill would create " + std::to_string(times.size()) +
                                     " instances; split it into ranges of at most 100000");
    }
    for (int64_t time : times) {
      PlannedInstance planned;
      OTSYNC_ASSIGN_OR_RETURN(planned.values, Resolve(task, zone, time, "0"));
      OTSYNC_ASSIGN_OR_RETURN(std::optional<Instance> existing,
                              store_->LatestInstanceAt(task.name, time));
      if (existing.has_value()) {
        planned.existing_instance = existing->id;
        const std::string state(InstanceStateName(existing->state));
        const std::string which = "instance " + std::to_string(existing->id) + " is " + state;
        if (!IsFinished(existing->state)) {
          planned.runs = false;
          planned.note = which + "; left to run";
        } else if (request.reprocess == ReprocessPolicy::kNone) {
          planned.runs = false;
          planned.note = which + "; not reprocessed (reprocess none)";
        } else if (request.reprocess == ReprocessPolicy::kFailedOnly &&
                   existing->state == InstanceState::kSucceeded) {
          planned.runs = false;
          planned.note = which + "; not reprocessed (reprocess failed)";
        } else {
          planned.note = which + "; reprocessed";
        }
      }
      plan.instances.push_back(std::move(planned));
    }
    return plan;
  }

  Result<BackfillPlan> PlanBackfill(const BackfillRequest& request) {
    std::lock_guard lock(mutex_);
    return Plan(request);
  }

  Result<BackfillStarted> StartBackfill(const BackfillRequest& request) {
    std::vector<InstanceEvent> events;
    Result<BackfillStarted> started = CreateBackfill(request, events);
    Publish(events);
    return started;
  }

  Result<BackfillStarted> CreateBackfill(const BackfillRequest& request,
                                         std::vector<InstanceEvent>& events) {
    std::lock_guard lock(mutex_);
    OTSYNC_ASSIGN_OR_RETURN(BackfillPlan plan, Plan(request));
    OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(request.task));
    BackfillStarted started;
    started.backfill = {0,
                        task.name,
                        plan.from,
                        plan.to,
                        request.parallelism,
                        request.reprocess,
                        options_.clock->NowMicros()};
    OTSYNC_RETURN_IF_ERROR(store_->Transaction([&] {
      OTSYNC_ASSIGN_OR_RETURN(started.backfill.id, store_->InsertBackfill(started.backfill));
      for (const PlannedInstance& planned : plan.instances) {
        if (!planned.runs) continue;
        OTSYNC_ASSIGN_OR_RETURN(
            int64_t id,
            CreateInstance(task, planned.values.scheduling_time, InstanceKind::kBackfill,
                           started.backfill.id, InstanceState::kWaiting));
        started.instance_ids.push_back(id);
      }
      return Status::OK();
    }));
    PushCreated(started.instance_ids, events);
    return started;
  }

  // --- preview --------------------------------------------------------------------------------

  Result<std::vector<ResolvedInstance>> Preview(const Task& task, size_t count) {
    OTSYNC_ASSIGN_OR_RETURN(sync::TimeZone zone, TaskZone(task));
    std::vector<ResolvedInstance> instances;
    for (int64_t time :
         NextSchedulingTimes(task.cycle, zone, options_.clock->NowMicros() / 1'000'000, count)) {
      OTSYNC_ASSIGN_OR_RETURN(ResolvedInstance resolved, Resolve(task, zone, time, "0"));
      instances.push_back(std::move(resolved));
    }
    return instances;
  }

  Result<std::vector<ResolvedInstance>> PreviewSaved(const std::string& name, size_t count) {
    std::lock_guard lock(mutex_);
    OTSYNC_ASSIGN_OR_RETURN(Task task, store_->GetTask(name));
    return Preview(task, count);
  }

  Result<std::vector<ResolvedInstance>> PreviewDraft(const Task& draft, size_t count) {
    TaskCheckOptions check;
    check.now_seconds = options_.clock->NowMicros() / 1'000'000;
    check.stream_retention_seconds = options_.stream_retention_seconds;
    check.plugins = options_.plugins;
    OTSYNC_RETURN_IF_ERROR(ValidateTask(draft, check).status());
    return Preview(draft, count);
  }

  // --- subscriptions --------------------------------------------------------------------------

  int Subscribe(std::function<void(const InstanceEvent&)> callback) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_[++last_subscription_] = std::move(callback);
    return last_subscription_;
  }

  void Unsubscribe(int subscription) {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(subscription);
  }

 private:
  std::string TaskFolder(const std::string& root, const std::string& task) const {
    return data_dir_ + "/" + root + "/" + task;
  }
  std::string JobFile(const Instance& instance) const {
    return TaskFolder("jobs", instance.task) + "/" + std::to_string(instance.id) + ".json";
  }
  std::string LogFile(const std::string& task, int64_t id) const {
    return TaskFolder("logs", task) + "/" + std::to_string(id) + ".log";
  }
  std::string ProgressFile(const Instance& instance) const {
    return TaskFolder("logs", instance.task) + "/" + std::to_string(instance.id) + ".progress";
  }

  void AppendToLog(const Instance& instance, const std::string& line) {
    if (instance.log_path.empty()) return;
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(instance.log_path).parent_path(),
                                        ignored);
    std::ofstream log(instance.log_path, std::ios::app);
    log << line << "\n";
  }

  // The events of instances just created (committed), so that lists following the events show
  // them at once.
  void PushCreated(const std::vector<int64_t>& ids, std::vector<InstanceEvent>& events) {
    for (int64_t id : ids) {
      if (Result<Instance> instance = store_->GetInstance(id); instance.ok()) {
        events.push_back(EventOf(*instance));
      }
    }
  }

  static InstanceEvent EventOf(const Instance& instance) {
    return InstanceEvent{instance.id, instance.task, instance.state, instance.progress};
  }

  void Publish(const std::vector<InstanceEvent>& events) {
    if (events.empty()) return;
    std::vector<std::function<void(const InstanceEvent&)>> callbacks;
    {
      std::lock_guard lock(subscribers_mutex_);
      for (const auto& [id, callback] : subscribers_) callbacks.push_back(callback);
    }
    for (const InstanceEvent& event : events) {
      for (const auto& callback : callbacks) callback(event);
    }
  }

  Result<ResolvedInstance> Resolve(const Task& task, const sync::TimeZone& zone,
                                   int64_t scheduling_time, const std::string& instance_id,
                                   const std::string& custom_parameters = "") {
    InstanceTimes times = ScheduledInstance(scheduling_time, zone);
    times.job_id = times.node_id = task.name;
    times.task_id = instance_id;
    return ResolveInstance(task, times, *options_.plugins, custom_parameters);
  }

  // Inserts the instance, then fixes its values (they may name its id, $taskid); an instance
  // whose values do not resolve is recorded failed with the reason.
  Result<int64_t> CreateInstance(const Task& task, int64_t scheduling_time, InstanceKind kind,
                                 std::optional<int64_t> backfill_id, InstanceState state,
                                 const std::string& custom_parameters = "") {
    int64_t id = 0;
    OTSYNC_RETURN_IF_ERROR(store_->Transaction([&] {
      Instance instance;
      instance.task = task.name;
      instance.kind = kind;
      instance.scheduling_time = scheduling_time;
      instance.state = state;
      instance.created_micros = options_.clock->NowMicros();
      instance.backfill_id = backfill_id;
      instance.custom_parameters = custom_parameters;
      OTSYNC_ASSIGN_OR_RETURN(instance.id, store_->InsertInstance(instance));
      id = instance.id;
      instance.log_path = LogFile(task.name, instance.id);
      Result<sync::TimeZone> zone = TaskZone(task);
      Result<ResolvedInstance> resolved =
          zone.ok() ? Resolve(task, *zone, scheduling_time, std::to_string(instance.id),
                              custom_parameters)
                    : Result<ResolvedInstance>(zone.status());
      if (resolved.ok()) {
        instance.business_date = resolved->business_date;
        instance.parameters = resolved->values;
        instance.window_start_millis = resolved->window_start_millis;
        instance.window_end_millis = resolved->window_end_millis;
      } else {
        instance.state = InstanceState::kFailed;
        instance.finished_micros = instance.created_micros;
        instance.summary =
            "the instance's parameters do not resolve: " + resolved.status().message();
        // Its log says why it never ran: a failed instance always has one to read.
        AppendToLog(instance, "=== instance " + std::to_string(instance.id) + " of task " +
                                  task.name +
                                  " failed before its first attempt: " + instance.summary + " ===");
      }
      return store_->UpdateInstance(instance);
    }));
    return id;
  }

  Status Generate(int64_t now_micros, std::vector<InstanceEvent>& events) {
    const int64_t now = now_micros / 1'000'000;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Task> tasks, store_->ListTasks());
    for (const Task& task : tasks) {
      OTSYNC_ASSIGN_OR_RETURN(int64_t through, store_->GeneratedThrough(task.name));
      if (through >= now) continue;
      Result<sync::TimeZone> zone = TaskZone(task);
      if (!zone.ok()) continue;
      std::vector<int64_t> times = SchedulingTimesBetween(task.cycle, *zone, through + 1, now + 1);
      if (times.size() > options_.catch_up_limit) times.resize(options_.catch_up_limit);
      const int64_t new_through = times.size() == options_.catch_up_limit ? times.back() : now;
      std::vector<int64_t> created;
      OTSYNC_RETURN_IF_ERROR(store_->Transaction([&] {
        created.clear();
        for (int64_t time : times) {
          Result<int64_t> id =
              CreateInstance(task, time, InstanceKind::kScheduled, std::nullopt,
                             task.frozen ? InstanceState::kFrozen : InstanceState::kWaiting);
          if (!id.ok() && id.status().code() != StatusCode::kAlreadyExists) return id.status();
          if (id.ok()) created.push_back(*id);
        }
        return store_->SetGeneratedThrough(task.name, new_through);
      }));
      PushCreated(created, events);
    }
    return Status::OK();
  }

  Status Reap(int64_t now, std::vector<InstanceEvent>& events) {
    InstanceFilter filter;
    filter.state = InstanceState::kRunning;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> running, store_->ListInstances(filter));
    for (Instance& instance : running) {
      std::optional<int> exit_status = options_.launcher->Poll(instance.pid);
      if (!exit_status.has_value()) {
        if (instance.kill_requested_micros != 0 &&
            now - instance.kill_requested_micros >= options_.kill_grace_micros) {
          options_.launcher->Signal(instance.pid, SIGKILL);
        }
        continue;
      }
      ReadProgressOf(instance);
      progress_offsets_.erase(instance.id);
      instance.exit_status = *exit_status;
      instance.finished_micros = now;
      instance.pid = 0;
      const int64_t size = FileSize(instance.log_path);
      const int64_t tail = std::min<int64_t>(size, 16 * 1024);
      instance.summary = ExtractJobSummary(ReadFileRange(instance.log_path, size - tail, tail));
      Result<Task> task = store_->GetTask(instance.task);
      // The log ends with how the attempt ended, so that it tells the whole story by itself.
      const std::string ended = "=== attempt " + std::to_string(instance.attempt) + " ";
      const std::string exit_text = "exit status " + std::to_string(*exit_status);
      if (instance.kill_requested_micros != 0) {
        instance.state = InstanceState::kKilled;
        instance.kill_requested_micros = 0;
        AppendToLog(instance, ended + "killed (" + exit_text + ") at " +
                                  WallClock(now, LogZone(task)) + " ===");
      } else if (*exit_status == 0) {
        instance.state = InstanceState::kSucceeded;
        AppendToLog(instance, ended + "succeeded at " + WallClock(now, LogZone(task)) + " ===");
      } else if (task.ok() && AllowsAutomaticRetry(*task, instance.attempt)) {
        instance.state = InstanceState::kWaiting;
        instance.not_before_micros = now + task->retry_interval_seconds * 1'000'000;
        AppendToLog(instance, ended + "failed with " + exit_text + "; retry " +
                                  std::to_string(instance.attempt) + " of " +
                                  std::to_string(task->retry_count) + " at " +
                                  WallClock(instance.not_before_micros, LogZone(task)) + " ===");
      } else {
        instance.state = InstanceState::kFailed;
        const bool never = task.ok() && task->rerun_policy == RerunPolicy::kNever;
        AppendToLog(
            instance,
            ended + "failed with " + exit_text + " at " + WallClock(now, LogZone(task)) +
                (never ? "; the task's rerun policy is never: no retry" : "; no retry left") +
                " ===");
      }
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
      events.push_back(EventOf(instance));
    }
    return Status::OK();
  }

  // Returns whether the instance's progress changed.
  bool ReadProgressOf(Instance& instance) {
    int64_t& offset = progress_offsets_[instance.id];
    std::vector<std::string> lines = ReadNewLines(ProgressFile(instance), &offset);
    if (lines.empty() || lines.back() == instance.progress) return false;
    instance.progress = lines.back();
    return true;
  }

  Status ReadProgress(std::vector<InstanceEvent>& events) {
    InstanceFilter filter;
    filter.state = InstanceState::kRunning;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> running, store_->ListInstances(filter));
    for (Instance& instance : running) {
      if (!ReadProgressOf(instance)) continue;
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
      events.push_back(EventOf(instance));
    }
    return Status::OK();
  }

  // Whether `instance` may start now, apart from the global limit.
  Result<bool> Ready(const Instance& instance, int64_t now,
                     const std::map<std::string, Task>& tasks,
                     const std::map<int64_t, int>& running_per_backfill) {
    if (instance.not_before_micros > now) return false;
    if (instance.kind != InstanceKind::kManual && instance.scheduling_time * 1'000'000 > now) {
      return false;
    }
    auto task = tasks.find(instance.task);
    if (task == tasks.end() || task->second.frozen) return false;
    if (instance.backfill_id.has_value()) {
      OTSYNC_ASSIGN_OR_RETURN(Backfill backfill, store_->GetBackfill(*instance.backfill_id));
      auto running = running_per_backfill.find(backfill.id);
      if (running != running_per_backfill.end() && running->second >= backfill.parallelism) {
        return false;
      }
    }
    if (task->second.self_dependent) {
      OTSYNC_ASSIGN_OR_RETURN(std::optional<Instance> previous,
                              store_->PreviousInstance(instance.task, instance.scheduling_time));
      if (previous.has_value() && previous->state != InstanceState::kSucceeded) return false;
    }
    return true;
  }

  Status StartReady(int64_t now, std::vector<InstanceEvent>& events) {
    InstanceFilter filter;
    filter.state = InstanceState::kRunning;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> running, store_->ListInstances(filter));
    int running_count = static_cast<int>(running.size());
    if (running_count >= options_.max_running) {
      WatchChildren(running);
      return Status::OK();
    }
    std::map<int64_t, int> running_per_backfill;
    for (const Instance& instance : running) {
      if (instance.backfill_id) ++running_per_backfill[*instance.backfill_id];
    }
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Task> task_list, store_->ListTasks());
    std::map<std::string, Task> tasks;
    for (Task& task : task_list) tasks.emplace(task.name, std::move(task));

    filter.state = InstanceState::kWaiting;
    OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> waiting, store_->ListInstances(filter));
    for (Instance& instance : waiting) {
      if (running_count >= options_.max_running) break;
      OTSYNC_ASSIGN_OR_RETURN(bool ready, Ready(instance, now, tasks, running_per_backfill));
      if (!ready) continue;
      Launch(tasks.at(instance.task), instance, now);
      if (instance.state == InstanceState::kRunning) running.push_back(instance);
      OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
      events.push_back(EventOf(instance));
      if (instance.state == InstanceState::kRunning) {
        ++running_count;
        if (instance.backfill_id) ++running_per_backfill[*instance.backfill_id];
      }
    }
    WatchChildren(running);
    return Status::OK();
  }

  // Deletes the files of instances finished longer than the retention ago, a batch per call
  // (kLogDeletionBatch; the next tick goes on while a batch comes back full, otherwise the next
  // look is kLogDeletionIntervalMicros later), and empties their log_path. A file already gone
  // is fine; one that cannot be deleted keeps its instance's log_path, to be tried again.
  // REQUIRED: mutex_ is held.
  Status DeleteExpiredLogs(int64_t now) {
    if (options_.log_retention_micros <= 0 || now < next_log_deletion_micros_) return Status::OK();
    OTSYNC_ASSIGN_OR_RETURN(
        std::vector<Instance> expired,
        store_->ListFinishedWithLogs(now - options_.log_retention_micros, kLogDeletionBatch));
    next_log_deletion_micros_ =
        expired.size() < kLogDeletionBatch ? now + kLogDeletionIntervalMicros : now;
    if (expired.empty()) return Status::OK();
    return store_->Transaction([&] {
      for (Instance& instance : expired) {
        std::error_code error;
        bool deleted = true;
        for (const std::string& path :
             {instance.log_path, ProgressFile(instance), JobFile(instance)}) {
          std::filesystem::remove(path, error);
          if (error) deleted = false;
        }
        if (!deleted) continue;
        instance.log_path.clear();
        OTSYNC_RETURN_IF_ERROR(store_->UpdateInstance(instance));
      }
      return Status::OK();
    });
  }

  std::string RetentionText() const {
    const int64_t hours = options_.log_retention_micros / (3600LL * 1'000'000);
    return hours % 24 == 0 ? std::to_string(hours / 24) + " days"
                           : std::to_string(hours) + " hours";
  }

  // Starts the next attempt; `instance` is running afterwards, or failed when it could not start.
  void Launch(const Task& task, Instance& instance, int64_t now) {
    // A rerun of an instance whose log retention deleted starts a log of its own again.
    if (instance.log_path.empty()) instance.log_path = LogFile(task.name, instance.id);
    ++instance.attempt;
    instance.started_micros = now;
    instance.finished_micros = 0;
    instance.exit_status.reset();
    instance.progress.clear();
    instance.summary.clear();
    instance.kill_requested_micros = 0;
    const std::string job_file = JobFile(instance);
    const std::string progress_file = ProgressFile(instance);
    Status written = [&] {
      std::error_code error;
      std::filesystem::create_directories(TaskFolder("jobs", task.name), error);
      if (!error) std::filesystem::create_directories(TaskFolder("logs", task.name), error);
      if (error)
        return Status::IOError("cannot create the folders of task '" + task.name +
                               "': " + error.message());
      // Readable by its owner only: a script may carry an access key inline (DataX allows it
      // instead of a data source). Not synced: the job file is rewritten at each attempt.
      OTSYNC_RETURN_IF_ERROR(WriteFile(job_file, task.script, 0600));
      std::filesystem::remove(progress_file, error);
      return Status::OK();
    }();
    AppendToLog(instance, "=== attempt " + std::to_string(instance.attempt) + " of instance " +
                              std::to_string(instance.id) + " (task " + task.name +
                              ", business date " + instance.business_date + ") started at " +
                              WallClock(now, LogZone(task)) + " ===");
    Result<int64_t> pid = Status::Internal("not started");
    if (!written.ok()) {
      pid = written;
    } else {
      pid = options_.launcher->Start(
          {OtsyncRunArguments(options_.otsync_binary, job_file, data_dir_, progress_file,
                              LogZone(task).name, instance.parameters),
           instance.log_path});
    }
    if (!pid.ok()) {
      instance.state = InstanceState::kFailed;
      instance.finished_micros = now;
      instance.summary = pid.status().message();
      AppendToLog(instance, instance.summary);
      return;
    }
    instance.state = InstanceState::kRunning;
    instance.pid = *pid;
    progress_offsets_[instance.id] = 0;
  }

  const std::string data_dir_;
  SchedulerOptions options_;

  std::mutex mutex_;  // Guards store_ and progress_offsets_.
  std::unique_ptr<ScheduleStore> store_;
  std::map<int64_t, int64_t> progress_offsets_;  // Running instance → bytes of progress read.
  int64_t next_log_deletion_micros_ = 0;         // Guarded by mutex_.
  const int lock_fd_;

  std::mutex watched_mutex_;
  std::vector<int64_t> watched_pids_;  // Guarded by watched_mutex_.

  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex subscribers_mutex_;
  std::map<int, std::function<void(const InstanceEvent&)>> subscribers_;
  int last_subscription_ = 0;
};

Result<std::unique_ptr<Scheduler>> Scheduler::Open(const std::string& data_dir,
                                                   SchedulerOptions options) {
  if (options.plugins == nullptr) {
    return Status::Internal("the scheduler needs the registry of readers and writers");
  }
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) return Status::IOError("cannot create " + data_dir + ": " + error.message());
  const std::string lock_path = data_dir + "/schedule.lock";
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return Status::IOError("cannot open " + lock_path);
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return Status(StatusCode::kAborted,
                  "another otsync scheduler runs on the data directory " + data_dir);
  }
  Result<std::unique_ptr<ScheduleStore>> store = ScheduleStore::Open(data_dir + "/schedule.sqlite");
  if (!store.ok()) {
    close(lock_fd);
    return store.status();
  }
  auto impl = std::make_unique<Impl>(data_dir, std::move(options), std::move(*store), lock_fd);
  OTSYNC_RETURN_IF_ERROR(impl->Recover());
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(impl)));
}

Scheduler::Scheduler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Scheduler::~Scheduler() = default;

Status Scheduler::Start() { return impl_->Start(); }
void Scheduler::Stop() { impl_->Stop(); }
Status Scheduler::Tick() { return impl_->Tick(); }
Result<TaskSaved> Scheduler::CreateTask(const Task& task) { return impl_->SaveTask(task, true); }
Result<TaskSaved> Scheduler::UpdateTask(const Task& task) { return impl_->SaveTask(task, false); }
Status Scheduler::RemoveTask(const std::string& name) { return impl_->RemoveTask(name); }
Result<Task> Scheduler::GetTask(const std::string& name) { return impl_->GetTask(name); }
Result<std::vector<Task>> Scheduler::ListTasks() { return impl_->ListTasks(); }
Status Scheduler::SetTaskFrozen(const std::string& name, bool frozen) {
  return impl_->SetTaskFrozen(name, frozen);
}
Result<std::vector<Instance>> Scheduler::ListInstances(const InstanceFilter& filter) {
  return impl_->ListInstances(filter);
}
Result<Instance> Scheduler::GetInstance(int64_t id) { return impl_->GetInstance(id); }
Result<std::pair<Backfill, std::vector<Instance>>> Scheduler::GetBackfill(int64_t id) {
  return impl_->GetBackfill(id);
}
Result<LogChunk> Scheduler::ReadLog(int64_t id, int64_t offset, int64_t max_bytes) {
  return impl_->ReadLog(id, offset, max_bytes);
}
Status Scheduler::Kill(int64_t id) { return impl_->Kill(id); }
Result<Instance> Scheduler::Rerun(int64_t id) { return impl_->Rerun(id); }
Status Scheduler::Freeze(int64_t id) { return impl_->SetFrozen(id, true); }
Status Scheduler::Unfreeze(int64_t id) { return impl_->SetFrozen(id, false); }
Result<Instance> Scheduler::RunNow(const std::string& task, int64_t scheduling_time,
                                   const std::string& custom_parameters) {
  return impl_->RunNow(task, scheduling_time, custom_parameters);
}
Result<BackfillPlan> Scheduler::PlanBackfill(const BackfillRequest& request) {
  return impl_->PlanBackfill(request);
}
Result<BackfillStarted> Scheduler::StartBackfill(const BackfillRequest& request) {
  return impl_->StartBackfill(request);
}
Result<std::vector<ResolvedInstance>> Scheduler::PreviewNext(const std::string& task,
                                                             size_t count) {
  return impl_->PreviewSaved(task, count);
}
Result<std::vector<ResolvedInstance>> Scheduler::PreviewNext(const Task& draft, size_t count) {
  return impl_->PreviewDraft(draft, count);
}
int Scheduler::SubscribeProgress(std::function<void(const InstanceEvent&)> callback) {
  return impl_->Subscribe(std::move(callback));
}
void Scheduler::Unsubscribe(int subscription) { impl_->Unsubscribe(subscription); }

}  // namespace otsync::schedule
