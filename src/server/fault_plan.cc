#include "server/fault_plan.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace otsync::server {
namespace {

using Json = nlohmann::json;

Status PlanError(const std::string& what) { return Status::InvalidArgument("fault plan: " + what); }

Result<FaultKind> ParseKind(const std::string& text) {
  if (text == "busy") return FaultKind::kBusy;
  if (text == "hang") return FaultKind::kHang;
  if (text == "drop") return FaultKind::kDrop;
  if (text == "corrupt") return FaultKind::kCorrupt;
  return PlanError("\"kind\" must be \"busy\", \"hang\", \"drop\" or \"corrupt\", got \"" + text +
                   "\"");
}

Result<int64_t> NonNegativeInteger(const Json& rule, const char* name, int64_t fallback,
                                   const std::string& where) {
  auto it = rule.find(name);
  if (it == rule.end()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return PlanError(where + ".\"" + name + "\" must be a non-negative integer");
  }
  return it->get<int64_t>();
}

}  // namespace

Result<FaultPlan> ParseFaultPlan(std::string_view text) {
  const Json json = Json::parse(text.empty() ? std::string_view("{}") : text, nullptr,
                                /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return PlanError("expected a JSON object");
  FaultPlan plan;
  if (auto seed = json.find("seed"); seed != json.end()) {
    if (!seed->is_number_unsigned()) return PlanError("\"seed\" must be a non-negative integer");
    plan.seed = seed->get<uint64_t>();
  }
  auto faults = json.find("faults");
  if (faults == json.end()) return plan;
  if (!faults->is_array()) return PlanError("\"faults\" must be an array");
  for (size_t i = 0; i < faults->size(); ++i) {
    const Json& entry = (*faults)[i];
    const std::string where = "faults[" + std::to_string(i) + "]";
    if (!entry.is_object()) return PlanError(where + " must be an object");
    FaultRule rule;
    auto api = entry.find("api");
    if (api == entry.end() || !api->is_string() || api->get<std::string>().empty()) {
      return PlanError(where + ".\"api\" must be a non-empty string (e.g. \"GetStreamRecord\")");
    }
    rule.api = api->get<std::string>();
    auto kind = entry.find("kind");
    if (kind == entry.end() || !kind->is_string()) {
      return PlanError(where + ".\"kind\" must be \"busy\", \"hang\" or \"drop\"");
    }
    OTSYNC_ASSIGN_OR_RETURN(rule.kind, ParseKind(kind->get<std::string>()));
    OTSYNC_ASSIGN_OR_RETURN(rule.count, NonNegativeInteger(entry, "count", 1, where));
    OTSYNC_ASSIGN_OR_RETURN(rule.skip, NonNegativeInteger(entry, "skip", 0, where));
    OTSYNC_ASSIGN_OR_RETURN(int64_t hang_ms, NonNegativeInteger(entry, "hang_ms", 2000, where));
    rule.hang = std::chrono::milliseconds(hang_ms);
    if (auto probability = entry.find("probability"); probability != entry.end()) {
      if (!probability->is_number() || probability->get<double>() <= 0 ||
          probability->get<double>() > 1) {
        return PlanError(where + ".\"probability\" must be a number in (0, 1]");
      }
      rule.probability = probability->get<double>();
    }
    plan.rules.push_back(std::move(rule));
  }
  return plan;
}

void FaultInjector::Arm(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  rules_.clear();
  for (FaultRule& rule : plan.rules) rules_.push_back({std::move(rule), 0, 0});
  random_.seed(plan.seed);
}

std::optional<FaultDecision> FaultInjector::Next(std::string_view api) {
  std::lock_guard lock(mutex_);
  for (RuleState& state : rules_) {
    if (state.rule.api != api || state.fired >= state.rule.count) continue;
    if (state.seen++ < state.rule.skip) return std::nullopt;
    if (state.rule.probability < 1.0) {
      // 53 random bits as a double in [0, 1): the same on every platform, unlike
      // std::uniform_real_distribution.
      const double draw = static_cast<double>(random_() >> 11) * 0x1.0p-53;
      if (draw >= state.rule.probability) return std::nullopt;
    }
    ++state.fired;
    switch (state.rule.kind) {
      case FaultKind::kBusy:
        ++stats_.busy;
        break;
      case FaultKind::kHang:
        ++stats_.hang;
        break;
      case FaultKind::kDrop:
        ++stats_.drop;
        break;
      case FaultKind::kCorrupt:
        ++stats_.corrupt;
        break;
    }
    return FaultDecision{state.rule.kind, state.rule.hang};
  }
  return std::nullopt;
}

FaultStats FaultInjector::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

size_t FaultInjector::rule_count() const {
  std::lock_guard lock(mutex_);
  return rules_.size();
}

void RegisterFaultInjectionHandlers(RequestDispatcher* dispatcher, FaultInjector* injector) {
  auto require_admin = [](const ApiContext& context) {
    if (context.is_admin) return Status::OK();
    return Status(StatusCode::kAuthFailed,
                  "The admin operations require a request signed with an admin key.");
  };
  dispatcher->Register(
      std::string(kAdminInjectFaultsApi),
      [injector, require_admin](const ApiContext& context,
                                std::string_view body) -> Result<std::string> {
        OTSYNC_RETURN_IF_ERROR(require_admin(context));
        OTSYNC_ASSIGN_OR_RETURN(FaultPlan plan, ParseFaultPlan(body));
        const size_t rules = plan.rules.size();
        injector->Arm(std::move(plan));
        return Json{{"rules", rules}, {"injected", injector->stats().total()}}.dump();
      });
  dispatcher->Register(std::string(kAdminFaultStatsApi),
                       [injector, require_admin](const ApiContext& context,
                                                 std::string_view) -> Result<std::string> {
                         OTSYNC_RETURN_IF_ERROR(require_admin(context));
                         const FaultStats stats = injector->stats();
                         return Json{{"injected", stats.total()},
                                     {"busy", stats.busy},
                                     {"hang", stats.hang},
                                     {"drop", stats.drop},
                                     {"corrupt", stats.corrupt}}
                             .dump();
                       });
}

}  // namespace otsync::server
