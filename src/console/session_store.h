// The console's login sessions, in memory (a restart of `otsync serve` logs everyone out).
//
// A session is a random 256-bit id, sent to the browser as an HttpOnly cookie, and a CSRF token
// the page sends back in a header with every state-changing request. A session ends when it has
// been idle for `idle_timeout`, when it is older than `absolute_timeout`, or on logout. Sessions
// are kept under SHA-256 of their id, so that neither a lookup's timing nor a dump of the table
// gives an id away.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace otsync::console {

struct SessionOptions {
  int64_t idle_timeout_micros = int64_t{12} * 3600 * 1000000;
  int64_t absolute_timeout_micros = int64_t{7} * 24 * 3600 * 1000000;
  size_t max_sessions = 1000;  // The oldest is ended to make room.
};

struct NewSession {
  std::string id;          // The cookie's value; known only to the browser after this.
  std::string csrf_token;  // For the X-CSRF-Token header.
};

struct SessionInfo {
  std::string csrf_token;
  int64_t created_micros = 0;
  int64_t expires_micros = 0;  // When it ends if left idle from now.
};

class SessionStore {
 public:
  SessionStore(std::shared_ptr<const Clock> clock, SessionOptions options = {});

  Result<NewSession> Create();
  // The live session with this id, its idle time restarted; nullopt when unknown or expired
  // (an expired one is removed).
  std::optional<SessionInfo> Touch(std::string_view id);
  // Ends the session; false when there was none.
  bool End(std::string_view id);
  size_t size() const;

 private:
  struct Entry {
    std::string csrf_token;
    int64_t created_micros;
    int64_t last_used_micros;
  };
  bool Expired(const Entry& entry, int64_t now) const;

  std::shared_ptr<const Clock> clock_;
  const SessionOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> sessions_;  // Guarded by mutex_; keyed by Sha256Hex(id).
};

}  // namespace otsync::console
