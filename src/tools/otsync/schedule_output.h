// The human output of `otsync task`, `otsync backfill` and `otsync instance`: aligned tables and
// field lists made from the console API's JSON (docs/console-api.md, "Scheduling"). Fields the
// server leaves out or sends as null print as "-"; every text ends with a newline.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace otsync::tools {

// {"tasks": [view, ...]}: one line per task.
std::string FormatTaskList(const nlohmann::json& tasks);
// A task view as "field: value" lines, the job script last; with `preview` (a preview answer,
// or null) its next instances and their windows.
std::string FormatTaskDetails(const nlohmann::json& task, const nlohmann::json& preview);
// {"instances": [view, ...]}: one line per instance.
std::string FormatInstanceList(const nlohmann::json& instances);
// A backfill plan: a line saying the range and how many instances run, then every scheduling
// time with its business date, window [start, end), whether it runs (or why not) and its values.
std::string FormatBackfillPlan(const nlohmann::json& plan);
// A progress object (docs/console-api.md, "Live progress") as lines: the totals, then one line per
// shard; "" for null.
std::string FormatProgress(const nlohmann::json& progress);
// "[2025-11-01 10:25:00, 2025-11-01 10:30:00)" from a view's windowStart and windowEnd; "-" when
// the reader has no window.
std::string WindowText(const nlohmann::json& view);

}  // namespace otsync::tools
