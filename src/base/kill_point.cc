#include "base/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <mutex>

namespace otsync {
namespace {

struct ArmedPoint {
  std::mutex mutex;
  std::string name;
  int64_t hits_left = 0;
};

ArmedPoint& Armed() {
  static ArmedPoint armed;
  return armed;
}

ArmedPoint& ArmedFault() {
  static ArmedPoint armed;
  return armed;
}

// Set once a point is armed, so that unarmed runs never take the mutex.
std::atomic<bool> any_armed{false};
std::atomic<bool> any_fault_armed{false};

}  // namespace

bool KillPointsCompiledIn() {
#ifdef OTSYNC_KILL_POINTS
  return true;
#else
  return false;
#endif
}

Status ArmKillPoint(std::string name, int64_t hit) {
  if (!KillPointsCompiledIn()) {
    return Status::Unsupported("kill points are compiled only into test builds");
  }
  if (name.empty() || hit < 1) {
    return Status::InvalidArgument("a kill point needs a name and a hit count of at least 1");
  }
  ArmedPoint& armed = Armed();
  std::lock_guard lock(armed.mutex);
  armed.name = std::move(name);
  armed.hits_left = hit;
  any_armed.store(true, std::memory_order_release);
  return Status::OK();
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
#ifndef OTSYNC_KILL_POINTS
  (void)name;
  return;
#endif
  if (!any_armed.load(std::memory_order_acquire)) return;
  ArmedPoint& armed = Armed();
  std::lock_guard lock(armed.mutex);
  if (armed.name != name || armed.hits_left <= 0) return;
  if (--armed.hits_left == 0) ::kill(::getpid(), SIGKILL);
}

Status ArmFaultPoint(std::string name, int64_t hit) {
  if (!KillPointsCompiledIn()) {
    return Status::Unsupported("fault points are compiled only into test builds");
  }
  if (name.empty() || hit < 1) {
    return Status::InvalidArgument("a fault point needs a name and a hit count of at least 1");
  }
  ArmedPoint& armed = ArmedFault();
  std::lock_guard lock(armed.mutex);
  armed.name = std::move(name);
  armed.hits_left = hit;
  any_fault_armed.store(true, std::memory_order_release);
  return Status::OK();
}

bool DisarmFaultPoint() {
  ArmedPoint& armed = ArmedFault();
  std::lock_guard lock(armed.mutex);
  const bool pending = armed.hits_left > 0;
  armed.hits_left = 0;
  return pending;
}

bool FaultPointReached(std::string_view name) {
#ifndef OTSYNC_KILL_POINTS
  (void)name;
  return false;
#endif
  if (!any_fault_armed.load(std::memory_order_acquire)) return false;
  ArmedPoint& armed = ArmedFault();
  std::lock_guard lock(armed.mutex);
  if (armed.name != name || armed.hits_left <= 0) return false;
  return --armed.hits_left == 0;
}

}  // namespace otsync
