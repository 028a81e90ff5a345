#include "base/thread_policy.h"

#include <pthread.h>
#include <sched.h>

namespace otsync {

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

}  // namespace otsync
