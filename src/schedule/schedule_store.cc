#include "schedule/schedule_store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace otsync::schedule {
namespace {

// 2 added instances.custom_parameters.
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  name TEXT PRIMARY KEY,
  script TEXT NOT NULL,
  parameters TEXT NOT NULL,
  cycle TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  rerun_policy TEXT NOT NULL,
  retry_count INTEGER NOT NULL,
  retry_interval_seconds INTEGER NOT NULL,
  self_dependent INTEGER NOT NULL,
  frozen INTEGER NOT NULL,
  generated_through INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  kind TEXT NOT NULL,
  scheduling_time INTEGER NOT NULL,
  business_date TEXT NOT NULL,
  parameters TEXT NOT NULL,
  window_start_millis INTEGER,
  window_end_millis INTEGER,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  not_before_micros INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  created_micros INTEGER NOT NULL,
  started_micros INTEGER NOT NULL,
  finished_micros INTEGER NOT NULL,
  kill_requested_micros INTEGER NOT NULL,
  exit_status INTEGER,
  log_path TEXT NOT NULL,
  summary TEXT NOT NULL,
  progress TEXT NOT NULL,
  backfill_id INTEGER,
  custom_parameters TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX IF NOT EXISTS scheduled_instance
  ON instances (task, scheduling_time) WHERE kind = 'scheduled';
CREATE INDEX IF NOT EXISTS instances_by_time ON instances (task, scheduling_time);
CREATE INDEX IF NOT EXISTS instances_by_state ON instances (state);
CREATE INDEX IF NOT EXISTS instances_with_logs
  ON instances (finished_micros) WHERE log_path != '';
CREATE TABLE IF NOT EXISTS backfills (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  from_time INTEGER NOT NULL,
  to_time INTEGER NOT NULL,
  parallelism INTEGER NOT NULL,
  reprocess TEXT NOT NULL,
  created_micros INTEGER NOT NULL);
)sql";

constexpr const char* kInstanceColumns =
    "id, task, kind, scheduling_time, business_date, parameters, window_start_millis, "
    "window_end_millis, state, attempt, not_before_micros, pid, created_micros, started_micros, "
    "finished_micros, kill_requested_micros, exit_status, log_path, summary, progress, "
    "backfill_id, custom_parameters";

// One prepared statement; binds by position from 1, reads columns from 0.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    status_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr);
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int64_t value) {
    Check(sqlite3_bind_int64(statement_, ++bound_, value));
    return *this;
  }
  Statement& Bind(std::string_view value) {
    Check(sqlite3_bind_text(statement_, ++bound_, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(const std::optional<int64_t>& value) {
    if (value.has_value()) return Bind(*value);
    Check(sqlite3_bind_null(statement_, ++bound_));
    return *this;
  }

  // True while a row is available; errors end the loop and show in status().
  bool Step() {
    if (status_ != SQLITE_OK) return false;
    int stepped = sqlite3_step(statement_);
    if (stepped == SQLITE_ROW) return true;
    if (stepped != SQLITE_DONE) status_ = stepped;
    return false;
  }
  Status Run() {
    while (Step()) {
    }
    return status();
  }
  Status status() const {
    if (status_ == SQLITE_OK) return Status::OK();
    std::string message = std::string("schedule database: ") + sqlite3_errmsg(db_);
    if ((status_ & 0xff) == SQLITE_CONSTRAINT) return Status::AlreadyExists(message);
    return Status::IOError(message);
  }

  int64_t Int(int column) const { return sqlite3_column_int64(statement_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::optional<int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    return text == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(text),
                             static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
  }

 private:
  void Check(int result) {
    if (status_ == SQLITE_OK && result != SQLITE_OK) status_ = result;
  }

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  int status_ = SQLITE_OK;
  int bound_ = 0;
};

std::string ParametersJson(const std::vector<std::pair<std::string, std::string>>& parameters) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& [name, value] : parameters) array.push_back({name, value});
  return array.dump();
}

std::vector<std::pair<std::string, std::string>> ParametersFromJson(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> parameters;
  nlohmann::json array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!array.is_array()) return parameters;
  for (const nlohmann::json& pair : array) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
      parameters.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  return parameters;
}

Result<Task> TaskFromRow(const Statement& row) {
  Task task;
  task.name = row.Text(0);
  task.script = row.Text(1);
  task.parameters = row.Text(2);
  Result<Cycle> cycle = ParseCycle(row.Text(3));
  if (!cycle.ok())
    return Status::Corruption("task '" + task.name + "': " + cycle.status().message());
  task.cycle = *cycle;
  task.time_zone = row.Text(4);
  Result<RerunPolicy> policy = ParseRerunPolicy(row.Text(5));
  if (!policy.ok()) {
    return Status::Corruption("task '" + task.name + "': " + policy.status().message());
  }
  task.rerun_policy = *policy;
  task.retry_count = static_cast<int>(row.Int(6));
  task.retry_interval_seconds = row.Int(7);
  task.self_dependent = row.Int(8) != 0;
  task.frozen = row.Int(9) != 0;
  return task;
}

Result<Instance> InstanceFromRow(const Statement& row) {
  Instance instance;
  instance.id = row.Int(0);
  instance.task = row.Text(1);
  const std::string kind = row.Text(2);
  instance.kind = kind == "manual"     ? InstanceKind::kManual
                  : kind == "backfill" ? InstanceKind::kBackfill
                                       : InstanceKind::kScheduled;
  instance.scheduling_time = row.Int(3);
  instance.business_date = row.Text(4);
  instance.parameters = ParametersFromJson(row.Text(5));
  instance.window_start_millis = row.OptionalInt(6);
  instance.window_end_millis = row.OptionalInt(7);
  Result<InstanceState> state = ParseInstanceState(row.Text(8));
  if (!state.ok()) {
    return Status::Corruption("instance " + std::to_string(instance.id) + ": " +
                              state.status().message());
  }
  instance.state = *state;
  instance.attempt = static_cast<int>(row.Int(9));
  instance.not_before_micros = row.Int(10);
  instance.pid = row.Int(11);
  instance.created_micros = row.Int(12);
  instance.started_micros = row.Int(13);
  instance.finished_micros = row.Int(14);
  instance.kill_requested_micros = row.Int(15);
  if (!row.IsNull(16)) instance.exit_status = static_cast<int>(row.Int(16));
  instance.log_path = row.Text(17);
  instance.summary = row.Text(18);
  instance.progress = row.Text(19);
  instance.backfill_id = row.OptionalInt(20);
  instance.custom_parameters = row.Text(21);
  return instance;
}

Result<std::vector<Instance>> ReadInstances(Statement& statement) {
  std::vector<Instance> instances;
  while (statement.Step()) {
    OTSYNC_ASSIGN_OR_RETURN(Instance instance, InstanceFromRow(statement));
    instances.push_back(std::move(instance));
  }
  OTSYNC_RETURN_IF_ERROR(statement.status());
  return instances;
}

// Binds every column but the id, in kInstanceColumns order.
void BindInstance(Statement& statement, const Instance& instance) {
  std::optional<int64_t> exit_status;
  if (instance.exit_status.has_value()) exit_status = *instance.exit_status;
  statement.Bind(instance.task)
      .Bind(InstanceKindName(instance.kind))
      .Bind(instance.scheduling_time)
      .Bind(instance.business_date)
      .Bind(ParametersJson(instance.parameters))
      .Bind(instance.window_start_millis)
      .Bind(instance.window_end_millis)
      .Bind(InstanceStateName(instance.state))
      .Bind(int64_t{instance.attempt})
      .Bind(instance.not_before_micros)
      .Bind(instance.pid)
      .Bind(instance.created_micros)
      .Bind(instance.started_micros)
      .Bind(instance.finished_micros)
      .Bind(instance.kill_requested_micros)
      .Bind(exit_status)
      .Bind(instance.log_path)
      .Bind(instance.summary)
      .Bind(instance.progress)
      .Bind(instance.backfill_id)
      .Bind(instance.custom_parameters);
}

}  // namespace

std::string_view InstanceStateName(InstanceState state) {
  switch (state) {
    case InstanceState::kWaiting:
      return "waiting";
    case InstanceState::kRunning:
      return "running";
    case InstanceState::kSucceeded:
      return "succeeded";
    case InstanceState::kFailed:
      return "failed";
    case InstanceState::kKilled:
      return "killed";
    case InstanceState::kFrozen:
      return "frozen";
  }
  return "waiting";
}

Result<InstanceState> ParseInstanceState(std::string_view text) {
  for (InstanceState state :
       {InstanceState::kWaiting, InstanceState::kRunning, InstanceState::kSucceeded,
        InstanceState::kFailed, InstanceState::kKilled, InstanceState::kFrozen}) {
    if (text == InstanceStateName(state)) return state;
  }
  return Status::InvalidArgument("instance state '" + std::string(text) +
                                 "': expected waiting, running, succeeded, failed, killed or "
                                 "frozen");
}

bool IsFinished(InstanceState state) {
  return state == InstanceState::kSucceeded || state == InstanceState::kFailed ||
         state == InstanceState::kKilled;
}

std::string_view InstanceKindName(InstanceKind kind) {
  switch (kind) {
    case InstanceKind::kScheduled:
      return "scheduled";
    case InstanceKind::kManual:
      return "manual";
    case InstanceKind::kBackfill:
      return "backfill";
  }
  return "scheduled";
}

std::string_view ReprocessPolicyName(ReprocessPolicy policy) {
  switch (policy) {
    case ReprocessPolicy::kNone:
      return "none";
    case ReprocessPolicy::kFailedOnly:
      return "failed";
    case ReprocessPolicy::kAll:
      return "all";
  }
  return "none";
}

Result<ReprocessPolicy> ParseReprocessPolicy(std::string_view text) {
  for (ReprocessPolicy policy :
       {ReprocessPolicy::kNone, ReprocessPolicy::kFailedOnly, ReprocessPolicy::kAll}) {
    if (text == ReprocessPolicyName(policy)) return policy;
  }
  return Status::InvalidArgument("reprocess policy '" + std::string(text) +
                                 "': expected none, failed or all");
}

struct ScheduleStore::Database {
  sqlite3* db = nullptr;
  int savepoint_depth = 0;
  ~Database() { sqlite3_close(db); }

  Status Execute(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = std::string("schedule database: ") + (error ? error : "unknown error");
      sqlite3_free(error);
      return Status::IOError(message);
    }
    return Status::OK();
  }
};

ScheduleStore::ScheduleStore(std::unique_ptr<Database> database) : database_(std::move(database)) {}
ScheduleStore::~ScheduleStore() = default;

Result<std::unique_ptr<ScheduleStore>> ScheduleStore::Open(const std::string& path) {
  auto database = std::make_unique<Database>();
  if (sqlite3_open_v2(path.c_str(), &database->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = database->db ? sqlite3_errmsg(database->db) : "out of memory";
    return Status::IOError("cannot open the schedule database " + path + ": " + message);
  }
  sqlite3_busy_timeout(database->db, 5000);
  OTSYNC_RETURN_IF_ERROR(database->Execute("PRAGMA journal_mode=WAL"));
  // WAL with synchronous=FULL: a committed transaction survives a power cut, not only a crash.
  OTSYNC_RETURN_IF_ERROR(database->Execute("PRAGMA synchronous=FULL"));
  OTSYNC_RETURN_IF_ERROR(database->Execute(std::string("BEGIN IMMEDIATE;") + kSchema));
  Statement version(database->db, "SELECT version FROM schema_version");
  std::optional<int64_t> found;
  if (version.Step()) found = version.Int(0);
  if (!version.status().ok()) {
    (void)database->Execute("ROLLBACK");
    return version.status();
  }
  if (!found.has_value()) {
    Status inserted = Statement(database->db, "INSERT INTO schema_version VALUES (" +
                                                  std::to_string(kSchemaVersion) + ")")
                          .Run();
    if (!inserted.ok()) {
      (void)database->Execute("ROLLBACK");
      return inserted;
    }
  } else if (*found == 1) {
    // Version 1 predates custom parameters: its instances ran with the task's own.
    Status migrated = database->Execute(
        "ALTER TABLE instances ADD COLUMN custom_parameters TEXT NOT NULL DEFAULT '';"
        "UPDATE schema_version SET version = " +
        std::to_string(kSchemaVersion));
    if (!migrated.ok()) {
      (void)database->Execute("ROLLBACK");
      return migrated;
    }
  } else if (*found > kSchemaVersion) {
    (void)database->Execute("ROLLBACK");
    return Status::Corruption("the schedule database " + path + " has schema version " +
                              std::to_string(*found) + ", newer than this otsync's " +
                              std::to_string(kSchemaVersion));
  }
  OTSYNC_RETURN_IF_ERROR(database->Execute("COMMIT"));
  return std::unique_ptr<ScheduleStore>(new ScheduleStore(std::move(database)));
}

Status ScheduleStore::Transaction(const std::function<Status()>& body) {
  const std::string name = "s" + std::to_string(database_->savepoint_depth);
  OTSYNC_RETURN_IF_ERROR(database_->Execute("SAVEPOINT " + name));
  ++database_->savepoint_depth;
  Status status = body();
  --database_->savepoint_depth;
  if (!status.ok()) {
    (void)database_->Execute("ROLLBACK TO " + name + "; RELEASE " + name);
    return status;
  }
  return database_->Execute("RELEASE " + name);
}

Status ScheduleStore::InsertTask(const Task& task, int64_t generated_through) {
  return Transaction([&] {
    Statement insert(database_->db,
                     "INSERT INTO tasks (name, script, parameters, cycle, time_zone, rerun_policy, "
                     "retry_count, retry_interval_seconds, self_dependent, frozen, "
                     "generated_through) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(task.name)
        .Bind(task.script)
        .Bind(task.parameters)
        .Bind(FormatCycle(task.cycle))
        .Bind(task.time_zone)
        .Bind(RerunPolicyName(task.rerun_policy))
        .Bind(int64_t{task.retry_count})
        .Bind(task.retry_interval_seconds)
        .Bind(int64_t{task.self_dependent})
        .Bind(int64_t{task.frozen})
        .Bind(generated_through);
    Status status = insert.Run();
    if (status.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("a task named '" + task.name + "' exists");
    }
    return status;
  });
}

Status ScheduleStore::UpdateTask(const Task& task) {
  return Transaction([&] {
    Statement update(database_->db,
                     "UPDATE tasks SET script = ?, parameters = ?, cycle = ?, time_zone = ?, "
                     "rerun_policy = ?, retry_count = ?, retry_interval_seconds = ?, "
                     "self_dependent = ?, frozen = ? WHERE name = ?");
    update.Bind(task.script)
        .Bind(task.parameters)
        .Bind(FormatCycle(task.cycle))
        .Bind(task.time_zone)
        .Bind(RerunPolicyName(task.rerun_policy))
        .Bind(int64_t{task.retry_count})
        .Bind(task.retry_interval_seconds)
        .Bind(int64_t{task.self_dependent})
        .Bind(int64_t{task.frozen})
        .Bind(task.name);
    OTSYNC_RETURN_IF_ERROR(update.Run());
    if (sqlite3_changes(database_->db) == 0) {
      return Status::NotFound("no task named '" + task.name + "'");
    }
    return Status::OK();
  });
}

Status ScheduleStore::DeleteTask(std::string_view name) {
  return Transaction([&] {
    Statement remove(database_->db, "DELETE FROM tasks WHERE name = ?");
    remove.Bind(name);
    OTSYNC_RETURN_IF_ERROR(remove.Run());
    if (sqlite3_changes(database_->db) == 0) {
      return Status::NotFound("no task named '" + std::string(name) + "'");
    }
    return Status::OK();
  });
}

Result<Task> ScheduleStore::GetTask(std::string_view name) {
  Statement select(database_->db,
                   "SELECT name, script, parameters, cycle, time_zone, rerun_policy, retry_count, "
                   "retry_interval_seconds, self_dependent, frozen FROM tasks WHERE name = ?");
  select.Bind(name);
  if (select.Step()) return TaskFromRow(select);
  OTSYNC_RETURN_IF_ERROR(select.status());
  return Status::NotFound("no task named '" + std::string(name) + "'");
}

Result<std::vector<Task>> ScheduleStore::ListTasks() {
  Statement select(database_->db,
                   "SELECT name, script, parameters, cycle, time_zone, rerun_policy, retry_count, "
                   "retry_interval_seconds, self_dependent, frozen FROM tasks ORDER BY name");
  std::vector<Task> tasks;
  while (select.Step()) {
    OTSYNC_ASSIGN_OR_RETURN(Task task, TaskFromRow(select));
    tasks.push_back(std::move(task));
  }
  OTSYNC_RETURN_IF_ERROR(select.status());
  return tasks;
}

Result<int64_t> ScheduleStore::GeneratedThrough(std::string_view task) {
  Statement select(database_->db, "SELECT generated_through FROM tasks WHERE name = ?");
  select.Bind(task);
  if (select.Step()) return select.Int(0);
  OTSYNC_RETURN_IF_ERROR(select.status());
  return Status::NotFound("no task named '" + std::string(task) + "'");
}

Status ScheduleStore::SetGeneratedThrough(std::string_view task, int64_t scheduling_time) {
  return Transaction([&] {
    Statement update(database_->db, "UPDATE tasks SET generated_through = ? WHERE name = ?");
    update.Bind(scheduling_time).Bind(task);
    return update.Run();
  });
}

Result<int64_t> ScheduleStore::InsertInstance(const Instance& instance) {
  int64_t id = 0;
  Status status = Transaction([&] {
    Statement insert(database_->db,
                     std::string("INSERT INTO instances (") + kInstanceColumns +
                         ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                         "?, ?, ?)");
    BindInstance(insert, instance);
    Status inserted = insert.Run();
    if (inserted.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("task '" + instance.task +
                                   "' already has a scheduled instance at that time");
    }
    OTSYNC_RETURN_IF_ERROR(inserted);
    id = sqlite3_last_insert_rowid(database_->db);
    return Status::OK();
  });
  if (!status.ok()) return status;
  return id;
}

Status ScheduleStore::UpdateInstance(const Instance& instance) {
  return Transaction([&] {
    Statement update(database_->db,
                     "UPDATE instances SET task = ?, kind = ?, scheduling_time = ?, "
                     "business_date = ?, parameters = ?, window_start_millis = ?, "
                     "window_end_millis = ?, state = ?, attempt = ?, not_before_micros = ?, "
                     "pid = ?, created_micros = ?, started_micros = ?, finished_micros = ?, "
                     "kill_requested_micros = ?, exit_status = ?, log_path = ?, summary = ?, "
                     "progress = ?, backfill_id = ?, custom_parameters = ? WHERE id = ?");
    BindInstance(update, instance);
    update.Bind(instance.id);
    OTSYNC_RETURN_IF_ERROR(update.Run());
    if (sqlite3_changes(database_->db) == 0) {
      return Status::NotFound("no instance " + std::to_string(instance.id));
    }
    return Status::OK();
  });
}

Result<Instance> ScheduleStore::GetInstance(int64_t id) {
  Statement select(database_->db,
                   std::string("SELECT ") + kInstanceColumns + " FROM instances WHERE id = ?");
  select.Bind(id);
  if (select.Step()) return InstanceFromRow(select);
  OTSYNC_RETURN_IF_ERROR(select.status());
  return Status::NotFound("no instance " + std::to_string(id));
}

Result<std::vector<Instance>> ScheduleStore::ListInstances(const InstanceFilter& filter) {
  std::string sql = std::string("SELECT ") + kInstanceColumns + " FROM instances WHERE 1";
  if (filter.task) sql += " AND task = ?";
  if (filter.state) sql += " AND state = ?";
  if (filter.from) sql += " AND scheduling_time >= ?";
  if (filter.to) sql += " AND scheduling_time < ?";
  if (filter.backfill_id) sql += " AND backfill_id = ?";
  sql += filter.newest_first ? " ORDER BY scheduling_time DESC, id DESC LIMIT ?"
                             : " ORDER BY scheduling_time, id LIMIT ?";
  Statement select(database_->db, sql);
  if (filter.task) select.Bind(*filter.task);
  if (filter.state) select.Bind(InstanceStateName(*filter.state));
  if (filter.from) select.Bind(*filter.from);
  if (filter.to) select.Bind(*filter.to);
  if (filter.backfill_id) select.Bind(*filter.backfill_id);
  select.Bind(static_cast<int64_t>(filter.limit));
  return ReadInstances(select);
}

Result<std::optional<Instance>> ScheduleStore::LatestInstanceAt(std::string_view task,
                                                                int64_t scheduling_time) {
  Statement select(database_->db, std::string("SELECT ") + kInstanceColumns +
                                      " FROM instances WHERE task = ? AND scheduling_time = ? "
                                      "ORDER BY id DESC LIMIT 1");
  select.Bind(task).Bind(scheduling_time);
  OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> found, ReadInstances(select));
  if (found.empty()) return std::optional<Instance>();
  return std::optional<Instance>(std::move(found.front()));
}

Result<std::optional<Instance>> ScheduleStore::PreviousInstance(std::string_view task,
                                                                int64_t scheduling_time) {
  Statement select(database_->db, std::string("SELECT ") + kInstanceColumns +
                                      " FROM instances WHERE task = ? AND scheduling_time < ? "
                                      "ORDER BY scheduling_time DESC, id DESC LIMIT 1");
  select.Bind(task).Bind(scheduling_time);
  OTSYNC_ASSIGN_OR_RETURN(std::vector<Instance> found, ReadInstances(select));
  if (found.empty()) return std::optional<Instance>();
  return std::optional<Instance>(std::move(found.front()));
}

Result<std::vector<Instance>> ScheduleStore::ListFinishedWithLogs(int64_t finished_before,
                                                                  size_t limit) {
  Statement select(database_->db,
                   std::string("SELECT ") + kInstanceColumns +
                       " FROM instances WHERE log_path != '' AND finished_micros > 0 AND "
                       "finished_micros < ? AND state IN ('succeeded', 'failed', 'killed') "
                       "ORDER BY finished_micros, id LIMIT ?");
  select.Bind(finished_before).Bind(static_cast<int64_t>(limit));
  return ReadInstances(select);
}

Result<int64_t> ScheduleStore::InsertBackfill(const Backfill& backfill) {
  int64_t id = 0;
  Status status = Transaction([&] {
    Statement insert(database_->db,
                     "INSERT INTO backfills (task, from_time, to_time, parallelism, reprocess, "
                     "created_micros) VALUES (?, ?, ?, ?, ?, ?)");
    insert.Bind(backfill.task)
        .Bind(backfill.from)
        .Bind(backfill.to)
        .Bind(int64_t{backfill.parallelism})
        .Bind(ReprocessPolicyName(backfill.reprocess))
        .Bind(backfill.created_micros);
    OTSYNC_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(database_->db);
    return Status::OK();
  });
  if (!status.ok()) return status;
  return id;
}

Result<Backfill> ScheduleStore::GetBackfill(int64_t id) {
  Statement select(database_->db,
                   "SELECT id, task, from_time, to_time, parallelism, reprocess, created_micros "
                   "FROM backfills WHERE id = ?");
  select.Bind(id);
  if (select.Step()) {
    Backfill backfill;
    backfill.id = select.Int(0);
    backfill.task = select.Text(1);
    backfill.from = select.Int(2);
    backfill.to = select.Int(3);
    backfill.parallelism = static_cast<int>(select.Int(4));
    OTSYNC_ASSIGN_OR_RETURN(backfill.reprocess, ParseReprocessPolicy(select.Text(5)));
    backfill.created_micros = select.Int(6);
    return backfill;
  }
  OTSYNC_RETURN_IF_ERROR(select.status());
  return Status::NotFound("no backfill " + std::to_string(id));
}

}  // namespace otsync::schedule
