#include "wire/concurrent_content_md5.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include "wire/fetched_digests.h"
#include "wire/signature.h"

namespace otsync::wire {

// One body's hashing state. `context` is used by whichever thread holds the body's turn: a helper
// while `hashing`, else the owner; the hand-over goes through HelperPool::mutex.
struct ConcurrentContentMd5::Shared {
  EVP_MD_CTX* context = nullptr;
  // Guarded by HelperPool::mutex. Invariant: hashed <= offered; queued and hashing are never
  // both true.
  const char* data = nullptr;  // The offered bytes' buffer, as of the last Offer.
  size_t offered = 0;          // [0, offered) are final.
  size_t hashed = 0;           // [0, hashed) are in `context`.
  bool queued = false;         // Waiting in HelperPool::queue for a helper.
  bool hashing = false;        // A helper holds the turn.
};

namespace {

using Shared = ConcurrentContentMd5::Shared;

std::atomic<uint64_t> bytes_hashed_by_helpers{0};

class HelperPool {
 public:
  // Never destroyed: detached helpers may still wait on its condition variable at exit.
  static HelperPool& Get() {
    static HelperPool* const pool = new HelperPool();
    return *pool;
  }

  std::mutex mutex;
  std::condition_variable turn_returned;  // A helper gave a body's turn back.

  // Under `mutex`: queues `body` for the next free helper; WakeHelper, after unlocking, tells
  // one. False when no helper could be started, and the owner hashes everything itself.
  bool Enqueue(Shared* body) {
    if (!started_) Start();
    if (running_ == 0) return false;
    queue_.push_back(body);
    body->queued = true;
    return true;
  }
  // Not under `mutex`: a helper woken while the lock is held would at once wait for it.
  void WakeHelper() { work_ready_.notify_one(); }

  // Under `mutex`: takes `body` out of the queue (it is queued).
  void Withdraw(Shared* body) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), body));
    body->queued = false;
  }

 private:
  void Start() {
    started_ = true;
    const unsigned count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) {
      try {
        std::thread([this] { Run(); }).detach();
        ++running_;
      } catch (const std::system_error&) {
        break;
      }
    }
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      work_ready_.wait(lock, [this] { return !queue_.empty(); });
      Shared* body = queue_.front();
      queue_.pop_front();
      body->queued = false;
      body->hashing = true;
      // Offers that arrive while a range is hashed extend the turn; the buffer cannot move
      // meanwhile (Release waits for the turn).
      while (body->hashed < body->offered) {
        const char* data = body->data;
        const size_t begin = body->hashed;
        const size_t end = body->offered;
        lock.unlock();
        EVP_DigestUpdate(body->context, data + begin, end - begin);
        bytes_hashed_by_helpers.fetch_add(end - begin, std::memory_order_relaxed);
        lock.lock();
        body->hashed = end;
      }
      body->hashing = false;
      lock.unlock();
      turn_returned.notify_all();
      lock.lock();
    }
  }

  // Guarded by `mutex`.
  bool started_ = false;
  unsigned running_ = 0;
  std::deque<Shared*> queue_;

  std::condition_variable work_ready_;  // A body was queued.
};

}  // namespace

ConcurrentContentMd5::ConcurrentContentMd5() : shared_(new Shared) {
  shared_->context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(shared_->context, FetchedMd5(), nullptr);
}

ConcurrentContentMd5::~ConcurrentContentMd5() {
  Release();
  EVP_MD_CTX_free(shared_->context);
  delete shared_;
}

void ConcurrentContentMd5::OfferLocked(std::string_view final_bytes) {
  last_offered_size_ = final_bytes.size();
  handed_over_ = true;
  HelperPool& pool = HelperPool::Get();
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    shared_->data = final_bytes.data();
    shared_->offered = final_bytes.size();
    if (!shared_->queued && !shared_->hashing &&
        shared_->offered - shared_->hashed >= kHandOffBytes) {
      queued = pool.Enqueue(shared_);
    }
  }
  if (queued) pool.WakeHelper();
}

void ConcurrentContentMd5::Release() {
  // A body never handed over is one no helper has seen: most bodies, which are small, pass here
  // without the helpers' lock.
  if (!handed_over_) return;
  HelperPool& pool = HelperPool::Get();
  std::unique_lock<std::mutex> lock(pool.mutex);
  if (shared_->queued) pool.Withdraw(shared_);
  pool.turn_returned.wait(lock, [this] { return !shared_->hashing; });
}

std::string ConcurrentContentMd5::Finish(std::string_view whole) {
  Release();
  // The turn is the owner's for good: no lock needed from here on.
  if (whole.size() > shared_->hashed) {
    EVP_DigestUpdate(shared_->context, whole.data() + shared_->hashed,
                     whole.size() - shared_->hashed);
  }
  shared_->hashed = shared_->offered = whole.size();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_DigestFinal_ex(shared_->context, digest, &digest_length);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), digest_length));
}

uint64_t ConcurrentContentMd5::BytesHashedByHelpers() {
  return bytes_hashed_by_helpers.load(std::memory_order_relaxed);
}

}  // namespace otsync::wire
