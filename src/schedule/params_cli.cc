#include "schedule/params_cli.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "schedule/parameter_expression.h"
#include "schedule/parameter_list.h"

namespace otsync::schedule {
namespace {

// As otsync's exit statuses (tools/otsync/cli.h).
constexpr int kExitOk = 0;
constexpr int kExitBadConfiguration = 2;

struct ResolveArgs {
  std::string at;
  std::string zone = "Asia/Shanghai";
  std::string backfill_date;
  std::string job_id;
  std::string node_id;
  std::string task_id;
  std::vector<std::string> assignments;
};

std::optional<std::string> Given(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

Result<InstanceTimes> InstanceFromArgs(const ResolveArgs& args) {
  Result<sync::CivilTime> at = ParseWallClockTime(args.at);
  if (!at.ok()) return Status::InvalidArgument("--at: " + at.status().message());
  Result<sync::TimeZone> zone = sync::ParseTimeZone(args.zone);
  if (!zone.ok()) return Status::InvalidArgument("--tz: " + zone.status().message());
  InstanceTimes times;
  if (args.backfill_date.empty()) {
    times = ScheduledInstance(sync::ToEpochSeconds(*at, *zone), *zone);
  } else {
    Result<sync::CivilTime> business_date = ParseBusinessDate(args.backfill_date);
    if (!business_date.ok()) {
      return Status::InvalidArgument("--backfill-date: " + business_date.status().message());
    }
    times = BackfillInstance(*business_date, *at, *zone);
  }
  times.job_id = Given(args.job_id);
  times.node_id = Given(args.node_id);
  times.task_id = Given(args.task_id);
  return times;
}

int RunResolve(const ResolveArgs& args, std::ostream& out, std::ostream& err) {
  Result<InstanceTimes> times = InstanceFromArgs(args);
  if (!times.ok()) {
    err << "otsync: " << times.status().message() << "\n";
    return kExitBadConfiguration;
  }
  std::vector<std::string> lines;
  std::vector<std::string> errors;
  std::set<std::string> names;
  for (const std::string& assignment : args.assignments) {
    Result<Parameter> parameter = ParseParameterAssignment(assignment);
    if (!parameter.ok()) {
      errors.push_back(parameter.status().message());
      continue;
    }
    if (!names.insert(parameter->name).second) {
      errors.push_back("parameter " + parameter->name + " is given twice");
      continue;
    }
    Result<std::string> value = ResolveExpression(parameter->expression, *times);
    if (!value.ok()) {
      errors.push_back("parameter " + parameter->name + ": " + value.status().message());
      continue;
    }
    lines.push_back(parameter->name + "=" + *value);
  }
  for (const std::string& error : errors) err << "otsync: " << error << "\n";
  if (!errors.empty()) return kExitBadConfiguration;
  for (const std::string& line : lines) out << line << "\n";
  return kExitOk;
}

}  // namespace

void AddParamsCommand(CLI::App& app, std::ostream& out, std::ostream& err,
                      std::optional<int>* exit_status) {
  CLI::App* params = app.add_subcommand(
      "params", "DataWorks scheduling parameters (${...}, $[...], $bizdate...) for an instance");
  params->require_subcommand(1);
  auto args = std::make_shared<ResolveArgs>();
  CLI::App* resolve = params->add_subcommand(
      "resolve", "Print NAME=VALUE for each NAME=EXPRESSION at a scheduling time");
  resolve
      ->add_option("--at", args->at,
                   "The instance's scheduling time, 'YYYY-MM-DD HH:MM:SS' on the wall clock of "
                   "--tz")
      ->required();
  resolve->add_option("--tz", args->zone,
                      "Its time zone: a tz database name, UTC or an offset such as +08:00 "
                      "(default: Asia/Shanghai)");
  resolve->add_option("--backfill-date", args->backfill_date,
                      "Resolve for a backfill of this business date (YYYYMMDD): $[...] is then "
                      "the next day at the time of day of --at");
  resolve->add_option("--job-id", args->job_id, "The value of $jobid (the workflow)");
  resolve->add_option("--node-id", args->node_id, "The value of $nodeid (the task)");
  resolve->add_option("--task-id", args->task_id, "The value of $taskid (the instance)");
  resolve
      ->add_option("assignments", args->assignments,
                   "NAME=EXPRESSION, e.g. startTime='$[yyyymmddhh24miss-10/24/60]'")
      ->required();
  resolve->callback(
      [args, &out, &err, exit_status] { *exit_status = RunResolve(*args, out, err); });
}

}  // namespace otsync::schedule
