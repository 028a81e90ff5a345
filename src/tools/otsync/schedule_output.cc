#include "tools/otsync/schedule_output.h"

#include <optional>
#include <vector>

#include "writers/odps/query_printer.h"
#include "writers/odps/query_result.h"

namespace otsync::tools {
namespace {

const nlohmann::json& Field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// A value as a cell: strings as they are, numbers and booleans as JSON writes them, "-" for null
// or absent.
std::string Text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    return text.empty() ? "-" : text;
  }
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.dump();
}

std::string Text(const nlohmann::json& object, const char* key) { return Text(Field(object, key)); }

const nlohmann::json& Items(const nlohmann::json& answer, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const nlohmann::json& items = Field(answer, key);
  return items.is_array() ? items : kEmpty;
}

// "startTime=20251101102500 endTime=..." from [{"name", "value"}, ...].
std::string ValuesText(const nlohmann::json& values) {
  std::string text;
  if (!values.is_array()) return "-";
  for (const nlohmann::json& value : values) {
    if (!text.empty()) text += ' ';
    text += Text(value, "name") + "=" + Text(Field(value, "value"));
  }
  return text.empty() ? "-" : text;
}

class Table {
 public:
  // `numeric` columns are right-aligned.
  Table(std::vector<std::string> names, std::vector<bool> numeric) {
    for (size_t c = 0; c < names.size(); ++c) {
      result_.column_types.push_back(c < numeric.size() && numeric[c] ? "BIGINT" : "VARCHAR");
    }
    result_.column_names = std::move(names);
  }
  void Add(std::vector<std::string> cells) {
    std::vector<std::optional<std::string>> row(cells.begin(), cells.end());
    result_.rows.push_back(std::move(row));
  }
  std::string Format() const {
    return odps::FormatQueryResult(result_, odps::QueryOutputFormat::kTable);
  }

 private:
  odps::QueryResult result_;
};

std::string RetriesText(const nlohmann::json& task) {
  return Text(task, "retryCount") + " every " + Text(task, "retryIntervalSeconds") + " s";
}

std::string ExitText(const nlohmann::json& instance) {
  const nlohmann::json& exit_status = Field(instance, "exitStatus");
  if (!exit_status.is_number_integer()) return "-";
  int value = exit_status.get<int>();
  return value > 128 ? std::to_string(value) + " (signal " + std::to_string(value - 128) + ")"
                     : std::to_string(value);
}

std::string StateText(const nlohmann::json& instance) {
  std::string state = Text(instance, "state");
  const nlohmann::json& kill_requested = Field(instance, "killRequested");
  if (kill_requested.is_boolean() && kill_requested.get<bool>() && state == "running") {
    state += " (killing)";
  }
  // A waiting instance with an attempt behind it waits for its retry.
  if (state == "waiting" && Field(instance, "exitStatus").is_number_integer()) {
    state += " (retry)";
  }
  return state;
}

}  // namespace

std::string WindowText(const nlohmann::json& view) {
  const nlohmann::json& start = Field(view, "windowStart");
  const nlohmann::json& end = Field(view, "windowEnd");
  if (start.is_null() || end.is_null()) return "-";
  return "[" + Text(start) + ", " + Text(end) + ")";
}

std::string FormatProgress(const nlohmann::json& progress) {
  if (!progress.is_object()) return "";
  std::string out = "progress:       " + Text(progress, "records") + " records, " +
                    Text(progress, "bytes") + " bytes, " + Text(progress, "recordsPerSecond") +
                    " records/s, dirty " + Text(progress, "dirtyRecords");
  if (!Field(progress, "dirtyLimitRecords").is_null()) {
    out += " (limit " + Text(progress, "dirtyLimitRecords") + ")";
  }
  out += ", shards " + Text(progress, "shardsDone") + "/" + Text(progress, "shardsTotal") + " done";
  if (Text(progress, "type") == "final") out += ", final: " + Text(progress, "status");
  out += "\n";
  for (const nlohmann::json& shard : Items(progress, "shards")) {
    out += "  shard " + Text(shard, "id") + ": " + Text(shard, "state") + ", " +
           Text(shard, "records") + " records";
    const nlohmann::json& lag = Field(shard, "lagMillis");
    if (lag.is_number()) out += ", " + std::to_string(lag.get<int64_t>() / 1000) + " s behind";
    out += "\n";
  }
  return out;
}

std::string FormatTaskList(const nlohmann::json& tasks) {
  Table table({"NAME", "CYCLE", "ZONE", "RERUN", "RETRIES", "SELF-DEPENDENT", "FROZEN"}, {});
  for (const nlohmann::json& task : Items(tasks, "tasks")) {
    table.Add({Text(task, "name"), Text(task, "cycle"), Text(task, "timeZone"),
               Text(task, "rerunPolicy"), RetriesText(task), Text(task, "selfDependent"),
               Text(task, "frozen")});
  }
  return table.Format();
}

std::string FormatTaskDetails(const nlohmann::json& task, const nlohmann::json& preview) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", Text(task, "name")},
      {"cycle", Text(task, "cycle")},
      {"time zone", Text(task, "timeZone")},
      {"parameters", Text(task, "parameters")},
      {"rerun", Text(task, "rerunPolicy")},
      {"retries", RetriesText(task)},
      {"self-dependent", Text(task, "selfDependent")},
      {"frozen", Text(task, "frozen")},
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    out += name + ":" + std::string(15 - name.size(), ' ') + value + "\n";
  }
  const nlohmann::json& next = Items(preview, "instances");
  if (!next.empty()) {
    out += "next instances:\n";
    Table table({"SCHEDULED", "BUSINESS DATE", "WINDOW", "VALUES"}, {});
    for (const nlohmann::json& instance : next) {
      table.Add({Text(instance, "schedulingTime"), Text(instance, "businessDate"),
                 WindowText(instance), ValuesText(Field(instance, "values"))});
    }
    out += table.Format();
  }
  std::string script = Text(task, "script");
  if (!script.empty() && script.back() != '\n') script += '\n';
  out += "script:\n" + script;
  return out;
}

std::string FormatInstanceList(const nlohmann::json& instances) {
  Table table({"ID", "TASK", "KIND", "STATE", "SCHEDULED", "WINDOW", "ATTEMPT", "EXIT"},
              {true, false, false, false, false, false, true, false});
  for (const nlohmann::json& instance : Items(instances, "instances")) {
    table.Add({Text(instance, "id"), Text(instance, "task"), Text(instance, "kind"),
               StateText(instance), Text(instance, "schedulingTime"), WindowText(instance),
               Text(instance, "attempt"), ExitText(instance)});
  }
  return table.Format();
}

std::string FormatBackfillPlan(const nlohmann::json& plan) {
  const nlohmann::json& instances = Items(plan, "instances");
  size_t running = 0;
  for (const nlohmann::json& instance : instances) {
    const nlohmann::json& runs = Field(instance, "runs");
    if (runs.is_boolean() && runs.get<bool>()) ++running;
  }
  std::string out = "Backfill of task " + Text(plan, "task") + " over scheduling times [" +
                    Text(plan, "from") + ", " + Text(plan, "to") + ") (" + Text(plan, "zone") +
                    "): " + std::to_string(instances.size()) + " instance" +
                    (instances.size() == 1 ? "" : "s") + ", " + std::to_string(running) +
                    " to run\n";
  Table table({"SCHEDULED", "BUSINESS DATE", "WINDOW", "RUNS", "VALUES"}, {});
  for (const nlohmann::json& instance : instances) {
    const nlohmann::json& runs = Field(instance, "runs");
    std::string runs_text = runs.is_boolean() && runs.get<bool>() ? "yes" : "no";
    if (!Field(instance, "existingInstance").is_null()) {
      runs_text += " (instance " + Text(instance, "existingInstance");
      std::string note = Text(instance, "note");
      runs_text += note == "-" ? ")" : ": " + note + ")";
    }
    table.Add({Text(instance, "schedulingTime"), Text(instance, "businessDate"),
               WindowText(instance), runs_text, ValuesText(Field(instance, "values"))});
  }
  return out + table.Format();
}

}  // namespace otsync::tools
