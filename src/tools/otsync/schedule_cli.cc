#include "tools/otsync/schedule_cli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "base/durable_file.h"
#include "tools/otsync/schedule_flags.h"
#include "tools/otsync/schedule_output.h"
#include "tools/otsync/serve_client.h"

namespace otsync::tools {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr int64_t kLogChunkBytes = 1 << 20;

struct ScheduleArgs {
  std::string group;    // "task", "backfill", "instance"
  std::string command;  // "create", "list", ...; "start" for backfill
  std::string format = "table";
  // Flags the command line gave (by their long name), so that update sends only those.
  std::set<std::string> given;

  std::string name;  // The task.
  int64_t instance_id = 0;

  // Task form.
  std::string script_file;
  std::string cycle;
  std::vector<std::string> param_assignments;
  std::string params;
  std::string time_zone;
  std::string rerun;
  int retries = 0;
  int64_t retry_interval = 0;
  bool self_dependent = false;
  bool no_self_dependent = false;
  bool frozen = false;
  int next = 3;

  std::string at;
  bool wait = false;

  // Backfill.
  std::string from;
  std::string to;
  std::string business_dates;
  int parallel = 1;
  std::string reprocess = "none";
  bool dry_run = false;

  // Instance list and log.
  std::string state;
  int64_t backfill_id = 0;
  int limit = 0;
  bool follow = false;
};

bool Finished(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "killed";
}

class ScheduleCommandRunner {
 public:
  ScheduleCommandRunner(const ScheduleArgs& args, const std::string& data_dir,
                        const CliEnvironment& env)
      : args_(args), data_dir_(data_dir), env_(env) {}

  int Run() {
    if (Status checked = CheckFlags(); !checked.ok()) return Fail(checked, kExitBadConfiguration);
    Result<nlohmann::json> form = nlohmann::json::object();
    if (args_.group == "task" && (args_.command == "create" || args_.command == "update")) {
      form = TaskForm();
      if (!form.ok()) return Fail(form.status(), kExitBadConfiguration);
    }
    Result<ServeClient> client = ServeClient::Connect(data_dir_);
    if (!client.ok()) return Fail(client.status(), kExitJobFailed);
    client_ = &*client;
    if (args_.group == "task") return RunTaskCommand(*form);
    if (args_.group == "backfill") return RunBackfill();
    return RunInstanceCommand();
  }

 private:
  bool Json() const { return args_.format == "json"; }
  bool Given(const std::string& flag) const { return args_.given.count(flag) > 0; }

  int Fail(const Status& status, int exit_status) {
    env_.err << "otsync: " << status.message() << "\n";
    return exit_status;
  }
  // The exit status for a request the server refused or that did not get through.
  int FailRequest(const Status& status) {
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
      case StatusCode::kNotFound:
      case StatusCode::kAlreadyExists:
      case StatusCode::kFailedPrecondition:
        return Fail(status, kExitBadConfiguration);
      default:
        return Fail(status, kExitJobFailed);
    }
  }
  void PrintJson(const nlohmann::json& answer) { env_.out << answer.dump(2) << "\n"; }
  static std::string TaskPath(const std::string& name, const std::string& tail = "") {
    return "/api/tasks/" + PercentEncode(name) + tail;
  }
  static std::string InstancePath(int64_t id, const std::string& tail = "") {
    return "/api/instances/" + std::to_string(id) + tail;
  }

  Status CheckFlags() const {
    if (args_.format != "table" && args_.format != "json") {
      return Status::InvalidArgument("--format: expected table or json, got '" + args_.format +
                                     "'");
    }
    if (args_.self_dependent && args_.no_self_dependent) {
      return Status::InvalidArgument("--self-dependent and --no-self-dependent contradict");
    }
    if (args_.group == "backfill") {
      bool times = Given("from") || Given("to");
      if (times == Given("business-dates")) {
        return Status::InvalidArgument(
            "backfill: give either --from and --to (scheduling times) or --business-dates");
      }
      if (times && !(Given("from") && Given("to"))) {
        return Status::InvalidArgument("backfill: --from and --to go together");
      }
      if (args_.parallel < 1 || args_.parallel > 64) {
        return Status::InvalidArgument("--parallel: expected 1..64, got " +
                                       std::to_string(args_.parallel));
      }
      if (args_.reprocess != "none" && args_.reprocess != "failed" && args_.reprocess != "all") {
        return Status::InvalidArgument("--reprocess: expected none, failed or all, got '" +
                                       args_.reprocess + "'");
      }
    }
    if (args_.rerun.size() > 0 && args_.rerun != "always" && args_.rerun != "after-failure" &&
        args_.rerun != "never") {
      return Status::InvalidArgument("--rerun: expected always, after-failure or never, got '" +
                                     args_.rerun + "'");
    }
    return Status::OK();
  }

  // The task form of create (every required field) or update (the flags given).
  Result<nlohmann::json> TaskForm() const {
    nlohmann::json form = nlohmann::json::object();
    form["name"] = args_.name;
    if (Given("script")) {
      Result<std::string> script = ReadWholeFile(args_.script_file);
      if (!script.ok()) {
        return Status::InvalidArgument("--script " + args_.script_file +
                                       ": cannot read it: " + script.status().message());
      }
      form["script"] = *script;
    }
    if (Given("cycle")) {
      OTSYNC_ASSIGN_OR_RETURN(std::string cycle, CycleFromFlag(args_.cycle));
      form["cycle"] = cycle;
    }
    if (Given("param") || Given("params")) {
      OTSYNC_ASSIGN_OR_RETURN(std::string parameters,
                              ParametersFromFlags(args_.param_assignments, args_.params));
      form["parameters"] = parameters;
    }
    if (Given("time-zone")) form["timeZone"] = args_.time_zone;
    if (Given("rerun")) form["rerunPolicy"] = args_.rerun;
    if (Given("retries")) form["retryCount"] = args_.retries;
    if (Given("retry-interval")) form["retryIntervalSeconds"] = args_.retry_interval;
    if (args_.self_dependent) form["selfDependent"] = true;
    if (args_.no_self_dependent) form["selfDependent"] = false;
    if (Given("frozen")) form["frozen"] = args_.frozen;
    if (args_.command == "create") {
      if (!form.contains("script"))
        return Status::InvalidArgument("task create: --script FILE is required");
      if (!form.contains("cycle"))
        return Status::InvalidArgument("task create: --cycle is required");
    } else if (form.size() == 1) {
      return Status::InvalidArgument(
          "task update: nothing to change (give --script, --cycle, "
          "--param, ... )");
    }
    return form;
  }

  int PrintSavedTask(const nlohmann::json& answer, const char* verb) {
    for (const nlohmann::json& warning : answer.value("warnings", nlohmann::json::array())) {
      if (warning.is_string()) env_.err << "warning: " << warning.get<std::string>() << "\n";
    }
    if (Json()) {
      PrintJson(answer);
      return kExitOk;
    }
    const nlohmann::json& task = answer.value("task", nlohmann::json::object());
    env_.out << verb << " task '" << task.value("name", args_.name) << "': cycle '"
             << task.value("cycle", "") << "', zone " << task.value("timeZone", "") << ".\n";
    // The next instance, so that the window is seen before it runs.
    Result<nlohmann::json> preview =
        client_->Get(TaskPath(args_.name, "/preview"), {{"count", "1"}});
    if (preview.ok() && preview->contains("instances") && !(*preview)["instances"].empty()) {
      const nlohmann::json& next = (*preview)["instances"][0];
      env_.out << "Next instance: " << next.value("schedulingTime", "") << ", window "
               << WindowText(next) << ".\n";
    }
    return kExitOk;
  }

  int RunTaskCommand(const nlohmann::json& form) {
    const std::string& command = args_.command;
    if (command == "create") {
      Result<nlohmann::json> answer = client_->Post("/api/tasks", form);
      if (!answer.ok()) return FailRequest(answer.status());
      return PrintSavedTask(*answer, "Created");
    }
    if (command == "update") {
      Result<nlohmann::json> answer = client_->Put(TaskPath(args_.name), form);
      if (!answer.ok()) return FailRequest(answer.status());
      return PrintSavedTask(*answer, "Updated");
    }
    if (command == "list") {
      Result<nlohmann::json> answer = client_->Get("/api/tasks");
      if (!answer.ok()) return FailRequest(answer.status());
      if (Json()) {
        PrintJson(*answer);
      } else {
        env_.out << FormatTaskList(*answer);
      }
      return kExitOk;
    }
    if (command == "show") {
      Result<nlohmann::json> task = client_->Get(TaskPath(args_.name));
      if (!task.ok()) return FailRequest(task.status());
      nlohmann::json preview = nullptr;
      if (args_.next > 0) {
        Result<nlohmann::json> next =
            client_->Get(TaskPath(args_.name, "/preview"), {{"count", std::to_string(args_.next)}});
        if (!next.ok()) return FailRequest(next.status());
        preview = std::move(*next);
      }
      if (Json()) {
        PrintJson(preview.is_null() ? *task : nlohmann::json{{"task", *task}, {"next", preview}});
      } else {
        env_.out << FormatTaskDetails(*task, preview);
      }
      return kExitOk;
    }
    if (command == "remove") {
      Result<nlohmann::json> answer = client_->Delete(TaskPath(args_.name));
      if (!answer.ok()) return FailRequest(answer.status());
      if (Json()) {
        PrintJson(*answer);
      } else {
        env_.out << "Removed task '" << args_.name
                 << "' (its finished instances stay listed; waiting ones were killed).\n";
      }
      return kExitOk;
    }
    if (command == "freeze" || command == "unfreeze") {
      Result<nlohmann::json> answer =
          client_->Post(TaskPath(args_.name, "/" + command), nlohmann::json::object());
      if (!answer.ok()) return FailRequest(answer.status());
      if (Json()) {
        PrintJson(*answer);
      } else {
        env_.out << (command == "freeze" ? "Froze" : "Unfroze") << " task '" << args_.name << "'"
                 << (command == "freeze" ? ": its instances wait.\n" : ".\n");
      }
      return kExitOk;
    }
    // run
    nlohmann::json request = nlohmann::json::object();
    if (Given("at")) {
      Result<std::string> at = SchedulingTimeFromFlag("--at", args_.at);
      if (!at.ok()) return Fail(at.status(), kExitBadConfiguration);
      request["at"] = *at;
    }
    if (Given("param")) {
      Result<std::string> parameters = ParametersFromFlags(args_.param_assignments, "");
      if (!parameters.ok()) return Fail(parameters.status(), kExitBadConfiguration);
      request["parameters"] = *parameters;
    }
    Result<nlohmann::json> instance = client_->Post(TaskPath(args_.name, "/run"), request);
    if (!instance.ok()) return FailRequest(instance.status());
    if (Json() && !args_.wait) {
      PrintJson(*instance);
      return kExitOk;
    }
    if (!Json()) {
      env_.out << "Instance " << Id(*instance) << " of task '" << args_.name << "' as scheduled at "
               << instance->value("schedulingTime", "") << " (" << instance->value("zone", "")
               << "), window " << WindowText(*instance) << ": " << instance->value("state", "")
               << ".\n";
    }
    return args_.wait ? WaitUntilFinished(Id(*instance)) : kExitOk;
  }

  static int64_t Id(const nlohmann::json& instance) {
    const nlohmann::json& id = instance.value("id", nlohmann::json());
    return id.is_number_integer() ? id.get<int64_t>() : 0;
  }

  // Polls the instance until it is finished; 0 when it succeeded.
  int WaitUntilFinished(int64_t id) {
    while (true) {
      Result<nlohmann::json> instance = client_->Get(InstancePath(id));
      if (!instance.ok()) return FailRequest(instance.status());
      std::string state = instance->value("state", "");
      if (Finished(state)) return ReportFinished(*instance);
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  int ReportFinished(const nlohmann::json& instance) {
    std::string state = instance.value("state", "");
    if (Json()) {
      PrintJson(instance);
    } else {
      env_.out << "Instance " << Id(instance) << " " << state;
      const nlohmann::json& exit_status = instance.value("exitStatus", nlohmann::json());
      if (exit_status.is_number_integer()) env_.out << " (exit " << exit_status.dump() << ")";
      env_.out << ".\n";
    }
    if (state == "succeeded") return kExitOk;
    std::string summary = instance.value("summary", nlohmann::json()).is_string()
                              ? instance["summary"].get<std::string>()
                              : "";
    env_.err << "otsync: instance " << Id(instance) << " " << state
             << (summary.empty() ? "" : ": " + summary) << "\n";
    return kExitJobFailed;
  }

  int RunBackfill() {
    nlohmann::json request = {
        {"task", args_.name}, {"parallelism", args_.parallel}, {"reprocess", args_.reprocess}};
    if (Given("business-dates")) {
      Result<BusinessDateRange> dates = BusinessDatesFromFlag(args_.business_dates);
      if (!dates.ok()) return Fail(dates.status(), kExitBadConfiguration);
      request["firstBusinessDate"] = dates->first;
      request["lastBusinessDate"] = dates->last;
    } else {
      Result<std::string> from = SchedulingTimeFromFlag("--from", args_.from);
      if (!from.ok()) return Fail(from.status(), kExitBadConfiguration);
      Result<std::string> to = SchedulingTimeFromFlag("--to", args_.to);
      if (!to.ok()) return Fail(to.status(), kExitBadConfiguration);
      request["from"] = *from;
      request["to"] = *to;
    }
    if (args_.dry_run) {
      Result<nlohmann::json> plan = client_->Post("/api/backfills/plan", request);
      if (!plan.ok()) return FailRequest(plan.status());
      if (Json()) {
        PrintJson(*plan);
      } else {
        env_.out << FormatBackfillPlan(*plan);
      }
      return kExitOk;
    }
    Result<nlohmann::json> started = client_->Post("/api/backfills", request);
    if (!started.ok()) return FailRequest(started.status());
    if (Json()) {
      PrintJson(*started);
      return kExitOk;
    }
    const nlohmann::json backfill = started->value("backfill", nlohmann::json::object());
    const nlohmann::json ids = started->value("instanceIds", nlohmann::json::array());
    std::string id_list;
    for (const nlohmann::json& id : ids) id_list += (id_list.empty() ? "" : ", ") + id.dump();
    env_.out << "Backfill " << backfill.value("id", nlohmann::json()).dump() << " of task '"
             << args_.name << "' over [" << backfill.value("from", "") << ", "
             << backfill.value("to", "") << "): " << ids.size() << " instance"
             << (ids.size() == 1 ? "" : "s") << (ids.empty() ? "" : " (" + id_list + ")")
             << ", parallelism " << args_.parallel << ", reprocess " << args_.reprocess << ".\n";
    return kExitOk;
  }

  int RunInstanceCommand() {
    const std::string& command = args_.command;
    if (command == "list") {
      std::map<std::string, std::string> query;
      if (!args_.name.empty()) query["task"] = args_.name;
      if (Given("state")) query["state"] = args_.state;
      if (Given("backfill")) query["backfill"] = std::to_string(args_.backfill_id);
      if (Given("limit")) query["limit"] = std::to_string(args_.limit);
      Result<nlohmann::json> answer = client_->Get("/api/instances", query);
      if (!answer.ok()) return FailRequest(answer.status());
      if (Json()) {
        PrintJson(*answer);
      } else {
        env_.out << FormatInstanceList(*answer);
      }
      return kExitOk;
    }
    if (command == "show") {
      Result<nlohmann::json> answer = client_->Get(InstancePath(args_.instance_id));
      if (!answer.ok()) return FailRequest(answer.status());
      if (Json()) {
        PrintJson(*answer);
      } else {
        env_.out << FormatInstanceList(nlohmann::json{{"instances", {*answer}}});
        const nlohmann::json& summary = answer->value("summary", nlohmann::json());
        if (summary.is_string() && !summary.get<std::string>().empty()) {
          env_.out << "summary:\n" << summary.get<std::string>() << "\n";
        }
        env_.out << FormatProgress(answer->value("progress", nlohmann::json()));
        env_.out << "log: " << answer->value("logPath", "-") << "\n";
      }
      return kExitOk;
    }
    if (command == "log") return PrintLog();
    // kill, rerun
    Result<nlohmann::json> answer =
        client_->Post(InstancePath(args_.instance_id, "/" + command), nlohmann::json::object());
    if (!answer.ok()) return FailRequest(answer.status());
    if (Json() && !args_.wait) {
      PrintJson(*answer);
      return kExitOk;
    }
    if (!Json()) {
      std::string state = answer->value("state", "");
      const nlohmann::json& kill_requested = answer->value("killRequested", nlohmann::json());
      if (command == "kill" && state == "running" && kill_requested.is_boolean() &&
          kill_requested.get<bool>()) {
        env_.out << "Instance " << args_.instance_id
                 << ": kill requested (SIGTERM sent, SIGKILL after the grace period).\n";
      } else {
        env_.out << "Instance " << args_.instance_id << ": " << state << ".\n";
      }
    }
    if (!args_.wait) return kExitOk;
    if (command == "rerun") return WaitUntilFinished(args_.instance_id);
    while (true) {
      Result<nlohmann::json> instance = client_->Get(InstancePath(args_.instance_id));
      if (!instance.ok()) return FailRequest(instance.status());
      std::string state = instance->value("state", "");
      if (Finished(state)) {
        if (Json()) PrintJson(*instance);
        if (!Json()) env_.out << "Instance " << args_.instance_id << ": " << state << ".\n";
        return state == "killed" ? kExitOk : kExitJobFailed;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  // The log from its start; with --follow, on until the instance is finished and the log read to
  // its end (the exit status then says whether it succeeded).
  int PrintLog() {
    int64_t offset = 0;
    while (true) {
      Result<nlohmann::json> chunk = client_->Get(
          InstancePath(args_.instance_id, "/log"),
          {{"offset", std::to_string(offset)}, {"maxBytes", std::to_string(kLogChunkBytes)}});
      if (!chunk.ok()) return FailRequest(chunk.status());
      const nlohmann::json& data = chunk->value("data", nlohmann::json());
      if (data.is_string()) env_.out << data.get<std::string>();
      env_.out.flush();
      int64_t next = chunk->value("nextOffset", offset);
      int64_t size = chunk->value("size", next);
      bool finished = chunk->value("finished", false);
      bool advanced = next > offset;
      offset = next;
      if (offset < size) continue;  // More is there already.
      if (!args_.follow) return kExitOk;
      if (finished) break;
      if (!advanced) std::this_thread::sleep_for(kPollInterval);
    }
    Result<nlohmann::json> instance = client_->Get(InstancePath(args_.instance_id));
    if (!instance.ok()) return FailRequest(instance.status());
    std::string state = instance->value("state", "");
    if (state == "succeeded") return kExitOk;
    env_.err << "otsync: instance " << args_.instance_id << " " << state << "\n";
    return kExitJobFailed;
  }

  const ScheduleArgs& args_;
  const std::string& data_dir_;
  const CliEnvironment& env_;
  ServeClient* client_ = nullptr;
};

// Records which of `names` the command line gave.
void NoteGiven(CLI::App* command, ScheduleArgs* args, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const CLI::Option* option = command->get_option_no_throw("--" + name);
    if (option != nullptr && option->count() > 0) args->given.insert(name);
  }
}

}  // namespace

void AddScheduleCommands(CLI::App& app, std::string& data_dir, const CliEnvironment& env,
                         std::function<int()>* selected) {
  auto args = std::make_shared<ScheduleArgs>();
  auto select = [args, &data_dir, &env, selected](std::string group, std::string command) {
    args->group = std::move(group);
    args->command = std::move(command);
    *selected = [args, &data_dir, &env] {
      return ScheduleCommandRunner(*args, data_dir, env).Run();
    };
  };
  auto common = [&](CLI::App* command) {
    command->add_option("--format", args->format, "table (default) or json (the API's JSON)");
    command->add_option("--data-dir", data_dir, "As the global --data-dir");
  };
  const std::vector<std::string> form_flags = {
      "script", "cycle", "param", "params", "time-zone", "rerun",    "retries", "retry-interval",
      "frozen", "at",    "from",  "to",     "state",     "backfill", "limit",   "business-dates"};

  CLI::App* task = app.add_subcommand(
      "task", "Scheduled tasks of the running otsync serve: create, list, show, update, run");
  task->require_subcommand(1);
  task->add_option("--data-dir", data_dir, "As the global --data-dir");
  auto add_form = [&](CLI::App* command, bool create) {
    command->add_option("name", args->name, "The task's name")->required();
    auto* script = command->add_option("--script", args->script_file,
                                       "The job script file (script mode or DataX job)");
    auto* cycle = command->add_option(
        "--cycle", args->cycle,
        "When it runs: '5m', 'every 5 minutes from 08:00 to 20:00', '2h', 'at :30 on hours "
        "1,13', 'daily at 02:00', 'weekly on mon,fri at 02:00', 'monthly on 1,15 at 02:00', or "
        "the scheduler's form ('minute 5 08:00-20:00', 'day 02:00', ...)");
    if (create) {
      script->required();
      cycle->required();
    }
    command->add_option("--param", args->param_assignments,
                        "A parameter NAME=EXPRESSION, e.g. "
                        "'startTime=$[yyyymmddhh24miss-10/24/60]' (repeatable; on update the "
                        "given parameters replace the stored list)");
    command->add_option("--params", args->params,
                        "Parameters as DataWorks writes them: \"a=expr b=expr\"");
    command->add_option("--time-zone", args->time_zone, "Default Asia/Shanghai");
    command->add_option("--rerun", args->rerun,
                        "Which finished instances may be rerun: always (default), "
                        "after-failure or never");
    command->add_option("--retries", args->retries,
                        "Automatic retries of a failed attempt, 0-10 (default 3)");
    command->add_option("--retry-interval", args->retry_interval,
                        "Seconds between retries, 0-86400 (default 120)");
    command->add_flag("--self-dependent", args->self_dependent,
                      "An instance waits until the task's previous instance succeeded");
    if (!create) {
      command->add_flag("--no-self-dependent", args->no_self_dependent,
                        "Instances no longer wait for the previous one");
    }
    command->add_option("--frozen", args->frozen, "true: its instances wait until unfrozen");
    common(command);
  };
  CLI::App* create = task->add_subcommand("create", "Create a task (validated by the server)");
  add_form(create, true);
  CLI::App* update = task->add_subcommand("update", "Change a task: only the flags given change");
  add_form(update, false);
  CLI::App* list = task->add_subcommand("list", "List the tasks");
  common(list);
  CLI::App* show = task->add_subcommand("show", "Show a task, its next instances and its script");
  show->add_option("name", args->name, "The task")->required();
  show->add_option("--next", args->next, "How many next instances to show (default 3, 0: none)");
  common(show);
  for (const char* verb : {"remove", "freeze", "unfreeze"}) {
    CLI::App* command = task->add_subcommand(
        verb, std::string(verb) == "remove"
                  ? "Remove a task (its finished instances stay listed)"
                  : (std::string(verb) == "freeze" ? "Freeze a task: its instances wait"
                                                   : "Unfreeze a task"));
    command->add_option("name", args->name, "The task")->required();
    common(command);
  }
  CLI::App* run =
      task->add_subcommand("run", "Run one instance now, as scheduled at --at (default now)");
  run->add_option("name", args->name, "The task")->required();
  run->add_option("--at", args->at,
                  "The scheduling time 'YYYY-MM-DD HH:MM:SS' in the task's zone (its "
                  "parameters and window are computed for it)");
  run->add_option("--param", args->param_assignments,
                  "A custom value NAME=VALUE for this instance only, in place of the task's "
                  "expression for NAME (repeatable; kept with the instance, a rerun reuses it)");
  run->add_flag("--wait", args->wait, "Wait until it finished; exit 0 only if it succeeded");
  common(run);
  for (CLI::App* command : task->get_subcommands([](CLI::App*) { return true; })) {
    command->callback([command, args, select, form_flags] {
      NoteGiven(command, args.get(), form_flags);
      select("task", command->get_name());
    });
  }

  CLI::App* backfill = app.add_subcommand(
      "backfill", "Run a task for a past range of scheduling times or business dates");
  backfill->add_option("name", args->name, "The task")->required();
  backfill->add_option("--from", args->from,
                       "First scheduling time 'YYYY-MM-DD HH:MM:SS' (included; task's zone)");
  backfill->add_option("--to", args->to, "End scheduling time (excluded)");
  backfill->add_option("--business-dates", args->business_dates,
                       "Instead: FIRST..LAST business dates, yyyymmdd..yyyymmdd (both included)");
  backfill->add_option("--parallel", args->parallel,
                       "Instances of the backfill running at once, 1-64 (default 1: in order)");
  backfill->add_option("--reprocess", args->reprocess,
                       "Times that already have an instance: none (default: left alone), failed "
                       "(run again if failed or killed) or all");
  backfill->add_flag("--dry-run", args->dry_run,
                     "Only list the instances and windows it would run; nothing is created");
  common(backfill);
  backfill->callback([backfill, args, select, form_flags] {
    NoteGiven(backfill, args.get(), form_flags);
    select("backfill", "start");
  });

  CLI::App* instance = app.add_subcommand(
      "instance", "Instances of the running otsync serve: list, log, kill, rerun");
  instance->require_subcommand(1);
  instance->add_option("--data-dir", data_dir, "As the global --data-dir");
  CLI::App* instance_list =
      instance->add_subcommand("list", "The latest instances (of one task), oldest first");
  instance_list->add_option("task", args->name, "Only this task's");
  instance_list->add_option(
      "--state", args->state,
      "Only in this state: waiting, running, succeeded, failed, killed or frozen");
  instance_list->add_option("--backfill", args->backfill_id, "Only this backfill's");
  instance_list->add_option("--limit", args->limit, "At most this many, 1-10000 (default 100)");
  common(instance_list);
  CLI::App* instance_show = instance->add_subcommand("show", "One instance");
  CLI::App* log = instance->add_subcommand("log", "Print an instance's log");
  log->add_flag("--follow", args->follow,
                "Keep printing until the instance is finished; exit 0 only if it succeeded");
  CLI::App* kill = instance->add_subcommand(
      "kill", "Kill an instance (SIGTERM, SIGKILL after the grace period)");
  kill->add_flag("--wait", args->wait, "Wait until it is killed");
  CLI::App* rerun =
      instance->add_subcommand("rerun", "Run a finished instance again with the same parameters");
  rerun->add_flag("--wait", args->wait, "Wait until it finished; exit 0 only if it succeeded");
  for (CLI::App* command : {instance_show, log, kill, rerun}) {
    command->add_option("id", args->instance_id, "The instance's id")->required();
    common(command);
  }
  for (CLI::App* command : instance->get_subcommands([](CLI::App*) { return true; })) {
    command->callback([command, args, select, form_flags] {
      NoteGiven(command, args.get(), form_flags);
      select("instance", command->get_name());
    });
  }
}

}  // namespace otsync::tools
