// WriterPreferringLock: a reader-writer lock on which a shared request waits behind a queued
// exclusive one, so that a steady stream of shared holders never starves an exclusive waiter
// (std::shared_mutex on glibc prefers readers). It meets the standard's SharedMutex requirements
// but try-locking, so std::unique_lock and std::shared_lock hold it.
//
// Contract: not recursive in either mode. A thread holding it shared must not take it shared
// again (with an exclusive waiter queued between, that would deadlock); callers take each lock
// once.
#pragma once

#include <pthread.h>

namespace otsync::store {

class WriterPreferringLock {
 public:
  WriterPreferringLock() {
    pthread_rwlockattr_t attributes;
    pthread_rwlockattr_init(&attributes);
    pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attributes);
    pthread_rwlockattr_destroy(&attributes);
  }
  ~WriterPreferringLock() { pthread_rwlock_destroy(&lock_); }
  WriterPreferringLock(const WriterPreferringLock&) = delete;
  WriterPreferringLock& operator=(const WriterPreferringLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace otsync::store
