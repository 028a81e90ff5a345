#include "console/schedule_routes.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include "console/json_body.h"
#include "console/query_parameters.h"
#include "console/schedule_json.h"
#include "console/server_sent_events.h"

namespace otsync::console {
namespace {

using schedule::Instance;
using schedule::InstanceEvent;
using schedule::Scheduler;
using schedule::Task;

constexpr int64_t kMaxPreviewCount = 100;
constexpr int64_t kMaxListLimit = 10'000;
constexpr int64_t kMaxLogBytes = 1 << 20;

// The path's "{id}" of an instance or a backfill.
Result<int64_t> PathId(const ApiRequest& request) {
  const std::string& text = request.PathParam("id");
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Status::InvalidArgument("id: expected an id (a positive integer), got '" + text + "'");
  }
  return id;
}

ServerSentEvent InstanceEventMessage(const InstanceEvent& event) {
  return ServerSentEvent{"instance", InstanceEventView(event).dump(), ""};
}

// The stream of a scheduler subscription: an EventQueue the subscription feeds, unsubscribed
// when the response ends and the source is released.
class SubscribedEvents final : public EventSource {
 public:
  // `open_streams` counts the streams alive; this one is counted until it is released.
  SubscribedEvents(Scheduler* scheduler, std::shared_ptr<EventQueue> queue,
                   std::shared_ptr<std::atomic<int>> open_streams)
      : scheduler_(scheduler), queue_(std::move(queue)), open_streams_(std::move(open_streams)) {}
  ~SubscribedEvents() override {
    if (subscription_ != 0) scheduler_->Unsubscribe(subscription_);
    open_streams_->fetch_sub(1);
  }
  void set_subscription(int subscription) { subscription_ = subscription; }

  State Next(std::chrono::milliseconds wait, ServerSentEvent* event) override {
    return queue_->Next(wait, event);
  }

 private:
  Scheduler* scheduler_;
  std::shared_ptr<EventQueue> queue_;
  std::shared_ptr<std::atomic<int>> open_streams_;
  int subscription_ = 0;
};

struct ScheduleApi {
  Scheduler* scheduler;
  std::shared_ptr<const Clock> clock;
  int max_event_streams;
  std::shared_ptr<std::atomic<int>> open_streams = std::make_shared<std::atomic<int>>(0);

  // A new stream's source, or null when `max_event_streams` are open (each holds a thread of the
  // listener for as long as it lasts).
  std::shared_ptr<SubscribedEvents> NewStream(std::shared_ptr<EventQueue> queue) {
    if (open_streams->fetch_add(1) >= max_event_streams) {
      open_streams->fetch_sub(1);
      return nullptr;
    }
    return std::make_shared<SubscribedEvents>(scheduler, std::move(queue), open_streams);
  }
  ApiResponse TooManyStreams() const {
    return ApiResponse::Error(503, "unavailable",
                              "too many live event streams are open (" +
                                  std::to_string(max_event_streams) +
                                  "); close one (another browser tab?) and try again");
  }

  // The zone of the task's wall clock; Asia/Shanghai for a task that is gone.
  sync::TimeZone ZoneOf(const std::string& task_name) {
    Result<Task> task = scheduler->GetTask(task_name);
    if (!task.ok()) return sync::TimeZone::Shanghai();
    return ZoneOfTask(*task);
  }
  static sync::TimeZone ZoneOfTask(const Task& task) {
    Result<sync::TimeZone> zone = schedule::TaskZone(task);
    return zone.ok() ? *zone : sync::TimeZone::Shanghai();
  }

  ApiResponse InstanceReply(int status, const Instance& instance) {
    return JsonReply(status, InstanceView(instance, ZoneOf(instance.task)));
  }

  ApiResponse InstanceReply(int64_t id) {
    Result<Instance> instance = scheduler->GetInstance(id);
    if (!instance.ok()) return ApiResponse::FromStatus(instance.status());
    return InstanceReply(200, *instance);
  }

  // --- tasks ----------------------------------------------------------------------------------

  ApiResponse ListTasks() {
    Result<std::vector<Task>> tasks = scheduler->ListTasks();
    if (!tasks.ok()) return ApiResponse::FromStatus(tasks.status());
    nlohmann::json views = nlohmann::json::array();
    for (const Task& task : *tasks) views.push_back(TaskView(task));
    return JsonReply(200, {{"tasks", views}});
  }

  ApiResponse GetTask(const std::string& name) {
    Result<Task> task = scheduler->GetTask(name);
    if (!task.ok()) return ApiResponse::FromStatus(task.status());
    return JsonReply(200, TaskView(*task));
  }

  ApiResponse SaveTask(const ApiRequest& request, bool create) {
    Result<nlohmann::json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    std::optional<Task> stored;
    if (!create) {
      Result<Task> found = scheduler->GetTask(request.PathParam("name"));
      if (!found.ok()) return ApiResponse::FromStatus(found.status());
      stored = std::move(*found);
    }
    Result<Task> task = TaskFromForm(*form, stored ? &*stored : nullptr);
    if (!task.ok()) return ApiResponse::FromStatus(task.status());
    if (stored && task->name != stored->name) {
      return ApiResponse::Error(400, "invalid_argument",
                                "name: a task cannot be renamed; create '" + task->name +
                                    "' and remove '" + stored->name + "'");
    }
    Result<schedule::TaskSaved> saved =
        create ? scheduler->CreateTask(*task) : scheduler->UpdateTask(*task);
    if (!saved.ok()) return ApiResponse::FromStatus(saved.status());
    return JsonReply(create ? 201 : 200,
                     {{"task", TaskView(saved->task)}, {"warnings", saved->warnings}});
  }

  ApiResponse RemoveTask(const std::string& name) {
    if (Status removed = scheduler->RemoveTask(name); !removed.ok()) {
      return ApiResponse::FromStatus(removed);
    }
    return JsonReply(200, {{"deleted", name}});
  }

  ApiResponse FreezeTask(const std::string& name, bool frozen) {
    if (Status set = scheduler->SetTaskFrozen(name, frozen); !set.ok()) {
      return ApiResponse::FromStatus(set);
    }
    return GetTask(name);
  }

  ApiResponse RunTask(const ApiRequest& request) {
    Result<nlohmann::json> body = ParseJsonObject(request);
    if (!body.ok()) return ApiResponse::FromStatus(body.status());
    for (const auto& [key, value] : body->items()) {
      if (key != "at" && key != "parameters") {
        return ApiResponse::Error(400, "invalid_argument",
                                  key + ": not a field of a run (the fields: at, parameters)");
      }
    }
    Result<Task> task = scheduler->GetTask(request.PathParam("name"));
    if (!task.ok()) return ApiResponse::FromStatus(task.status());
    Result<std::optional<int64_t>> at = TimeField(*body, "at", ZoneOfTask(*task));
    if (!at.ok()) return ApiResponse::FromStatus(at.status());
    Result<std::string> custom = CustomParametersField(*body);
    if (!custom.ok()) return ApiResponse::FromStatus(custom.status());
    const int64_t scheduling_time = at->value_or(clock->NowMicros() / 1'000'000);
    Result<Instance> instance = scheduler->RunNow(task->name, scheduling_time, *custom);
    if (!instance.ok()) return ApiResponse::FromStatus(instance.status());
    return InstanceReply(201, *instance);
  }

  ApiResponse PreviewReply(const Task& task,
                           const Result<std::vector<schedule::ResolvedInstance>>& preview) {
    if (!preview.ok()) return ApiResponse::FromStatus(preview.status());
    const sync::TimeZone zone = ZoneOfTask(task);
    nlohmann::json instances = nlohmann::json::array();
    for (const schedule::ResolvedInstance& resolved : *preview) {
      instances.push_back(ResolvedInstanceView(resolved, zone));
    }
    return JsonReply(200, {{"task", task.name}, {"zone", zone.name}, {"instances", instances}});
  }

  ApiResponse PreviewTask(const ApiRequest& request) {
    Result<int64_t> count = QueryInteger(request, "count", 5, 1, kMaxPreviewCount);
    if (!count.ok()) return ApiResponse::FromStatus(count.status());
    Result<Task> task = scheduler->GetTask(request.PathParam("name"));
    if (!task.ok()) return ApiResponse::FromStatus(task.status());
    return PreviewReply(*task, scheduler->PreviewNext(task->name, static_cast<size_t>(*count)));
  }

  ApiResponse PreviewDraft(const ApiRequest& request) {
    Result<nlohmann::json> body = ParseJsonObject(request);
    if (!body.ok()) return ApiResponse::FromStatus(body.status());
    Result<int64_t> count = IntegerField(*body, "count", 5, 1, kMaxPreviewCount);
    if (!count.ok()) return ApiResponse::FromStatus(count.status());
    auto form = body->find("task");
    if (form == body->end() || !form->is_object()) {
      return ApiResponse::Error(400, "invalid_argument", "task: expected a task form (an object)");
    }
    Result<Task> draft = TaskFromForm(*form, nullptr);
    if (!draft.ok()) return ApiResponse::FromStatus(draft.status().WithContext("task"));
    return PreviewReply(*draft, scheduler->PreviewNext(*draft, static_cast<size_t>(*count)));
  }

  // --- instances ------------------------------------------------------------------------------

  ApiResponse ListInstances(const ApiRequest& request) {
    schedule::InstanceFilter filter;
    if (auto task = request.query.find("task"); task != request.query.end()) {
      filter.task = task->second;
    }
    if (auto state = request.query.find("state"); state != request.query.end()) {
      Result<schedule::InstanceState> parsed = schedule::ParseInstanceState(state->second);
      if (!parsed.ok()) return ApiResponse::FromStatus(parsed.status().WithContext("state"));
      filter.state = *parsed;
    }
    if (request.query.count("backfill") > 0) {
      Result<int64_t> backfill = QueryInteger(request, "backfill", 0, 1, INT64_MAX);
      if (!backfill.ok()) return ApiResponse::FromStatus(backfill.status());
      filter.backfill_id = *backfill;
    }
    Result<int64_t> limit = QueryInteger(request, "limit", 100, 1, kMaxListLimit);
    if (!limit.ok()) return ApiResponse::FromStatus(limit.status());
    filter.limit = static_cast<size_t>(*limit);
    filter.newest_first = true;
    Result<std::vector<Instance>> instances = scheduler->ListInstances(filter);
    if (!instances.ok()) return ApiResponse::FromStatus(instances.status());
    std::reverse(instances->begin(), instances->end());

    std::map<std::string, sync::TimeZone> zones;
    if (Result<std::vector<Task>> tasks = scheduler->ListTasks(); tasks.ok()) {
      for (const Task& task : *tasks) zones.emplace(task.name, ZoneOfTask(task));
    }
    nlohmann::json views = nlohmann::json::array();
    for (const Instance& instance : *instances) {
      auto zone = zones.find(instance.task);
      views.push_back(
          InstanceView(instance, zone != zones.end() ? zone->second : sync::TimeZone::Shanghai()));
    }
    return JsonReply(200, {{"instances", views}});
  }

  ApiResponse ReadLog(const ApiRequest& request, int64_t id) {
    Result<int64_t> offset = QueryInteger(request, "offset", 0, 0, INT64_MAX);
    if (!offset.ok()) return ApiResponse::FromStatus(offset.status());
    Result<int64_t> max_bytes = QueryInteger(request, "maxBytes", 65536, 1, kMaxLogBytes);
    if (!max_bytes.ok()) return ApiResponse::FromStatus(max_bytes.status());
    Result<schedule::LogChunk> chunk = scheduler->ReadLog(id, *offset, *max_bytes);
    if (!chunk.ok()) return ApiResponse::FromStatus(chunk.status());
    return JsonReply(200, LogChunkView(*chunk));
  }

  ApiResponse Kill(int64_t id) {
    if (Status killed = scheduler->Kill(id); !killed.ok()) return ApiResponse::FromStatus(killed);
    return InstanceReply(id);
  }

  ApiResponse Rerun(int64_t id) {
    Result<Instance> instance = scheduler->Rerun(id);
    if (!instance.ok()) return ApiResponse::FromStatus(instance.status());
    return InstanceReply(200, *instance);
  }

  ApiResponse Freeze(int64_t id, bool frozen) {
    Status set = frozen ? scheduler->Freeze(id) : scheduler->Unfreeze(id);
    if (!set.ok()) return ApiResponse::FromStatus(set);
    return InstanceReply(id);
  }

  // One instance's events: its state now, then its changes, ending after it is finished.
  ApiResponse InstanceProgress(int64_t id) {
    if (Result<Instance> known = scheduler->GetInstance(id); !known.ok()) {
      return ApiResponse::FromStatus(known.status());
    }
    auto queue = std::make_shared<EventQueue>();
    // Held while the first event (the state now) is published, so that no change is queued
    // before it.
    auto first_sent = std::make_shared<std::mutex>();
    std::unique_lock hold(*first_sent);
    std::shared_ptr<SubscribedEvents> source = NewStream(queue);
    if (source == nullptr) return TooManyStreams();
    source->set_subscription(
        scheduler->SubscribeProgress([queue, first_sent, id](const InstanceEvent& event) {
          if (event.instance_id != id) return;
          std::lock_guard wait_for_first(*first_sent);
          queue->Publish(InstanceEventMessage(event));
          if (schedule::IsFinished(event.state)) queue->Close();
        }));
    Result<Instance> instance = scheduler->GetInstance(id);
    if (!instance.ok()) return ApiResponse::FromStatus(instance.status());
    InstanceEvent now{instance->id, instance->task, instance->state, instance->progress};
    queue->Publish(InstanceEventMessage(now));
    if (schedule::IsFinished(instance->state)) queue->Close();
    return ApiResponse::EventStream(source);
  }

  // Every instance's events (of one task when `task` is given), until the client leaves.
  ApiResponse AllEvents(const ApiRequest& request) {
    std::optional<std::string> task;
    if (auto found = request.query.find("task"); found != request.query.end()) {
      task = found->second;
    }
    auto queue = std::make_shared<EventQueue>();
    std::shared_ptr<SubscribedEvents> source = NewStream(queue);
    if (source == nullptr) return TooManyStreams();
    source->set_subscription(
        scheduler->SubscribeProgress([queue, task](const InstanceEvent& event) {
          if (task.has_value() && event.task != *task) return;
          queue->Publish(InstanceEventMessage(event));
        }));
    return ApiResponse::EventStream(source);
  }

  // --- backfill -------------------------------------------------------------------------------

  ApiResponse Backfill(const ApiRequest& request, bool start) {
    Result<nlohmann::json> body = ParseJsonObject(request);
    if (!body.ok()) return ApiResponse::FromStatus(body.status());
    Result<std::string> task_name = StringField(*body, "task");
    if (!task_name.ok()) return ApiResponse::FromStatus(task_name.status());
    if (task_name->empty()) return ApiResponse::Error(400, "invalid_argument", "task: required");
    Result<Task> task = scheduler->GetTask(*task_name);
    if (!task.ok()) return ApiResponse::FromStatus(task.status());
    const sync::TimeZone zone = ZoneOfTask(*task);
    Result<schedule::BackfillRequest> backfill = BackfillRequestFromJson(*body, zone);
    if (!backfill.ok()) return ApiResponse::FromStatus(backfill.status());
    if (!start) {
      Result<schedule::BackfillPlan> plan = scheduler->PlanBackfill(*backfill);
      if (!plan.ok()) return ApiResponse::FromStatus(plan.status());
      return JsonReply(200, BackfillPlanView(*plan, zone));
    }
    Result<schedule::BackfillStarted> started = scheduler->StartBackfill(*backfill);
    if (!started.ok()) return ApiResponse::FromStatus(started.status());
    return JsonReply(201, BackfillStartedView(*started, zone));
  }

  ApiResponse GetBackfill(int64_t id) {
    auto found = scheduler->GetBackfill(id);
    if (!found.ok()) return ApiResponse::FromStatus(found.status());
    const auto& [backfill, instances] = *found;
    return JsonReply(200, BackfillView(backfill, instances, ZoneOf(backfill.task)));
  }
};

// A handler of a route with an "{id}": 400 for an id that is not one.
ApiHandler WithPathId(std::function<ApiResponse(const ApiRequest&, int64_t)> handler) {
  return [handler = std::move(handler)](const ApiRequest& request) {
    Result<int64_t> id = PathId(request);
    if (!id.ok()) return ApiResponse::FromStatus(id.status());
    return handler(request, *id);
  };
}

}  // namespace

void AddScheduleRoutes(ApiRouter& router, Scheduler& scheduler, std::shared_ptr<const Clock> clock,
                       int max_event_streams) {
  auto api = std::make_shared<ScheduleApi>();
  api->scheduler = &scheduler;
  api->clock = std::move(clock);
  api->max_event_streams = max_event_streams;
  const Access access = Access::kSignedIn;

  router.Add("GET", "/api/tasks", access, [api](const ApiRequest&) { return api->ListTasks(); });
  router.Add("POST", "/api/tasks", access,
             [api](const ApiRequest& request) { return api->SaveTask(request, /*create=*/true); });
  router.Add("POST", "/api/tasks/preview", access,
             [api](const ApiRequest& request) { return api->PreviewDraft(request); });
  router.Add("GET", "/api/tasks/{name}", access,
             [api](const ApiRequest& request) { return api->GetTask(request.PathParam("name")); });
  router.Add("PUT", "/api/tasks/{name}", access,
             [api](const ApiRequest& request) { return api->SaveTask(request, /*create=*/false); });
  router.Add("DELETE", "/api/tasks/{name}", access, [api](const ApiRequest& request) {
    return api->RemoveTask(request.PathParam("name"));
  });
  router.Add("POST", "/api/tasks/{name}/freeze", access, [api](const ApiRequest& request) {
    return api->FreezeTask(request.PathParam("name"), true);
  });
  router.Add("POST", "/api/tasks/{name}/unfreeze", access, [api](const ApiRequest& request) {
    return api->FreezeTask(request.PathParam("name"), false);
  });
  router.Add("POST", "/api/tasks/{name}/run", access,
             [api](const ApiRequest& request) { return api->RunTask(request); });
  router.Add("GET", "/api/tasks/{name}/preview", access,
             [api](const ApiRequest& request) { return api->PreviewTask(request); });

  router.Add("GET", "/api/instances", access,
             [api](const ApiRequest& request) { return api->ListInstances(request); });
  router.Add("GET", "/api/instances/{id}", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->InstanceReply(id); }));
  router.Add("GET", "/api/instances/{id}/log", access,
             WithPathId([api](const ApiRequest& request, int64_t id) {
               return api->ReadLog(request, id);
             }));
  router.Add("POST", "/api/instances/{id}/kill", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->Kill(id); }));
  router.Add("POST", "/api/instances/{id}/rerun", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->Rerun(id); }));
  router.Add("POST", "/api/instances/{id}/freeze", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->Freeze(id, true); }));
  router.Add("POST", "/api/instances/{id}/unfreeze", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->Freeze(id, false); }));
  router.Add(
      "GET", "/api/instances/{id}/progress", access,
      WithPathId([api](const ApiRequest&, int64_t id) { return api->InstanceProgress(id); }));
  router.Add("GET", "/api/events", access,
             [api](const ApiRequest& request) { return api->AllEvents(request); });

  router.Add("POST", "/api/backfills/plan", access,
             [api](const ApiRequest& request) { return api->Backfill(request, /*start=*/false); });
  router.Add("POST", "/api/backfills", access,
             [api](const ApiRequest& request) { return api->Backfill(request, /*start=*/true); });
  router.Add("GET", "/api/backfills/{id}", access,
             WithPathId([api](const ApiRequest&, int64_t id) { return api->GetBackfill(id); }));
}

}  // namespace otsync::console
