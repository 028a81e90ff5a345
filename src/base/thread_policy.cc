#include "base/thread_policy.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace otsync {
namespace {

constexpr int kLowestNice = 19;

// getpriority can return -1 as a value, so a failure is told by errno.
int NiceOf(id_t task) {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, task);
  return errno == 0 ? nice : 0;
}

}  // namespace

bool SetCurrentThreadBatchPolicy() {
  const sched_param parameters{};  // SCHED_BATCH takes priority 0; the nice value stays.
  return pthread_setschedparam(pthread_self(), SCHED_BATCH, &parameters) == 0;
}

bool CurrentThreadHasBatchPolicy() {
  int policy = SCHED_OTHER;
  sched_param parameters{};
  if (pthread_getschedparam(pthread_self(), &policy, &parameters) != 0) return false;
  return policy == SCHED_BATCH;
}

int CurrentThreadNice() { return NiceOf(static_cast<id_t>(gettid())); }

int ProcessNice() { return NiceOf(static_cast<id_t>(getpid())); }

bool LowerCurrentThreadPriority(int steps) {
  if (steps <= 0) return true;
  const int target = std::min(kLowestNice, ProcessNice() + steps);
  if (target <= CurrentThreadNice()) return true;
  return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), target) == 0;
}

}  // namespace otsync
