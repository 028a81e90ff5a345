#include "console/session_store.h"

#include <algorithm>

#include "console/random_token.h"

namespace otsync::console {

SessionStore::SessionStore(std::shared_ptr<const Clock> clock, SessionOptions options)
    : clock_(std::move(clock)), options_(options) {}

bool SessionStore::Expired(const Entry& entry, int64_t now) const {
  return now - entry.last_used_micros >= options_.idle_timeout_micros ||
         now - entry.created_micros >= options_.absolute_timeout_micros;
}

Result<NewSession> SessionStore::Create() {
  OTSYNC_ASSIGN_OR_RETURN(std::string id, RandomHexToken(32));
  OTSYNC_ASSIGN_OR_RETURN(std::string csrf, RandomHexToken(32));
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& entry) { return Expired(entry.second, now); });
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_used_micros < b.second.last_used_micros;
    });
    sessions_.erase(oldest);
  }
  sessions_[Sha256Hex(id)] = Entry{csrf, now, now};
  return NewSession{std::move(id), std::move(csrf)};
}

std::optional<SessionInfo> SessionStore::Touch(std::string_view id) {
  if (id.empty()) return std::nullopt;
  const std::string key = Sha256Hex(id);
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(key);
  if (found == sessions_.end()) return std::nullopt;
  if (Expired(found->second, now)) {
    sessions_.erase(found);
    return std::nullopt;
  }
  found->second.last_used_micros = now;
  return SessionInfo{found->second.csrf_token, found->second.created_micros,
                     std::min(now + options_.idle_timeout_micros,
                              found->second.created_micros + options_.absolute_timeout_micros)};
}

bool SessionStore::End(std::string_view id) {
  std::lock_guard lock(mutex_);
  return sessions_.erase(Sha256Hex(id)) > 0;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace otsync::console
