#include "console/params_routes.h"

#include "console/json_body.h"
#include "schedule/instance_times.h"
#include "schedule/parameter_list.h"
#include "sync/local_time.h"

namespace otsync::console {
namespace {

constexpr int64_t kMaxInstances = 100;

Result<nlohmann::json> Preview(const nlohmann::json& form, const Clock& clock) {
  OTSYNC_ASSIGN_OR_RETURN(std::string text, StringField(form, "parameters"));
  Result<std::vector<schedule::Parameter>> parameters = schedule::ParseParameterList(text);
  if (!parameters.ok()) return parameters.status().WithContext("parameters");
  OTSYNC_ASSIGN_OR_RETURN(std::string zone_name, StringField(form, "zone", "Asia/Shanghai"));
  Result<sync::TimeZone> zone = sync::ParseTimeZone(zone_name);
  if (!zone.ok()) return zone.status().WithContext("zone");
  OTSYNC_ASSIGN_OR_RETURN(std::string at_text, StringField(form, "at"));
  sync::CivilTime at = sync::ToCivilTime(clock.NowMicros() / 1000000, *zone);
  if (!at_text.empty()) {
    Result<sync::CivilTime> parsed = schedule::ParseWallClockTime(at_text);
    if (!parsed.ok()) return parsed.status().WithContext("at");
    at = *parsed;
  }
  OTSYNC_ASSIGN_OR_RETURN(int64_t count, IntegerField(form, "count", 1, 1, kMaxInstances));
  OTSYNC_ASSIGN_OR_RETURN(int64_t interval_minutes,
                          IntegerField(form, "intervalMinutes", 0, 1, 366 * 24 * 60));
  OTSYNC_ASSIGN_OR_RETURN(std::string backfill_text, StringField(form, "backfillDate"));
  std::optional<sync::CivilTime> backfill_date;
  if (!backfill_text.empty()) {
    Result<sync::CivilTime> parsed = schedule::ParseBusinessDate(backfill_text);
    if (!parsed.ok()) return parsed.status().WithContext("backfillDate");
    backfill_date = *parsed;
  } else if (count > 1 && interval_minutes == 0) {
    return Status::InvalidArgument("intervalMinutes: needed to preview more than one instance");
  }

  nlohmann::json instances = nlohmann::json::array();
  const int64_t first = sync::ToEpochSeconds(at, *zone);
  for (int64_t i = 0; i < count; ++i) {
    schedule::InstanceTimes times;
    if (backfill_date.has_value()) {
      // Noon of the i-th following day names its date whatever the zone's transitions.
      sync::CivilTime noon = *backfill_date;
      noon.hour = 12;
      sync::CivilTime date =
          sync::ToCivilTime(sync::ToEpochSeconds(noon, *zone) + i * 86400, *zone);
      times = schedule::BackfillInstance(date, at, *zone);
    } else {
      times = schedule::ScheduledInstance(first + i * interval_minutes * 60, *zone);
    }
    OTSYNC_ASSIGN_OR_RETURN(auto values, schedule::ResolveParameters(*parameters, times));
    nlohmann::json resolved = nlohmann::json::array();
    for (const auto& [name, value] : values) {
      resolved.push_back({{"name", name}, {"value", value}});
    }
    instances.push_back({{"schedulingTime", schedule::FormatWallClockTime(
                                                sync::ToCivilTime(times.scheduling_time, *zone))},
                         {"businessDate", schedule::FormatBusinessDate(times.business_date)},
                         {"values", resolved}});
  }
  return nlohmann::json{{"zone", zone->name}, {"instances", instances}};
}

}  // namespace

void AddParamsRoutes(ApiRouter& router, std::shared_ptr<const Clock> clock) {
  router.Add("POST", "/api/params/preview", Access::kSignedIn, [clock](const ApiRequest& request) {
    Result<nlohmann::json> form = ParseJsonObject(request);
    if (!form.ok()) return ApiResponse::FromStatus(form.status());
    Result<nlohmann::json> preview = Preview(*form, *clock);
    if (!preview.ok()) return ApiResponse::FromStatus(preview.status());
    return JsonReply(200, *preview);
  });
}

}  // namespace otsync::console
