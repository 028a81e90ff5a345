#include "base/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <mutex>

namespace otsync {
namespace {

// One armed point: a name and the hits left until its call comes. `any_armed` is set once the
// point is armed, so that unarmed runs never take the mutex.
struct ArmedPoint {
  std::mutex mutex;
  std::string name;
  int64_t hits_left = 0;
  std::atomic<bool> any_armed{false};

  // `what` ("kill point", "fault point") names the kind in errors.
  Status Arm(std::string point, int64_t hit, const char* what) {
#ifndef OTSYNC_KILL_POINTS
    (void)point;
    (void)hit;
    return Status::Unsupported(std::string(what) + "s are compiled only into test builds");
#endif
    if (point.empty() || hit < 1) {
      return Status::InvalidArgument("a " + std::string(what) +
                                     " needs a name and a hit count of at least 1");
    }
    std::lock_guard lock(mutex);
    name = std::move(point);
    hits_left = hit;
    any_armed.store(true, std::memory_order_release);
    return Status::OK();
  }

  // True when this call of `point` is the armed one.
  bool Reached(std::string_view point) {
#ifndef OTSYNC_KILL_POINTS
    (void)point;
    return false;
#endif
    if (!any_armed.load(std::memory_order_acquire)) return false;
    std::lock_guard lock(mutex);
    if (name != point || hits_left <= 0) return false;
    return --hits_left == 0;
  }
};

ArmedPoint& ArmedKill() {
  static ArmedPoint armed;
  return armed;
}

ArmedPoint& ArmedFault() {
  static ArmedPoint armed;
  return armed;
}

}  // namespace

bool KillPointsCompiledIn() {
#ifdef OTSYNC_KILL_POINTS
  return true;
#else
  return false;
#endif
}

Status ArmKillPoint(std::string name, int64_t hit) {
  return ArmedKill().Arm(std::move(name), hit, "kill point");
}

Status ArmKillPointFromText(std::string_view text) {
  std::string_view name = text;
  int64_t hit = 1;
  if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    name = text.substr(0, colon);
    std::string_view count = text.substr(colon + 1);
    auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), hit);
    if (error != std::errc() || end != count.data() + count.size()) {
      return Status::InvalidArgument("kill point \"" + std::string(text) +
                                     "\": expected NAME or NAME:HIT with HIT a number");
    }
  }
  return ArmKillPoint(std::string(name), hit);
}

void KillPointReached(std::string_view name) {
  if (ArmedKill().Reached(name)) ::kill(::getpid(), SIGKILL);
}

Status ArmFaultPoint(std::string name, int64_t hit) {
  return ArmedFault().Arm(std::move(name), hit, "fault point");
}

bool DisarmFaultPoint() {
  ArmedPoint& armed = ArmedFault();
  std::lock_guard lock(armed.mutex);
  const bool pending = armed.hits_left > 0;
  armed.hits_left = 0;
  return pending;
}

bool FaultPointReached(std::string_view name) { return ArmedFault().Reached(name); }

}  // namespace otsync
