// Server-sent events (the HTML "text/event-stream" format) for live views: an EventSource the
// HTTP listener drains into a chunked response, and EventQueue, a source fed by a publisher
// thread (the scheduler's progress subscription, for instance).
//
// The listener calls Next() repeatedly from the connection's thread; between events it sends a
// comment line every keep-alive interval so that proxies and browsers keep the connection, and
// it stops when Next() says the stream ended, the client went away or the server stops. The
// source is released (its destructor runs) when the response ends, which is where a subscription
// is cancelled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace otsync::console {

struct ServerSentEvent {
  std::string event;  // The event type; empty means "message".
  std::string data;   // May span lines; each becomes a "data:" line.
  std::string id;     // Empty: no id line.
};

// The event in the wire format, ending with the blank line that dispatches it. Carriage returns
// and newlines in `event` and `id` are dropped: they would end the field.
std::string FormatServerSentEvent(const ServerSentEvent& event);

// ": keep-alive\n\n", a comment the client ignores.
std::string_view ServerSentKeepAlive();

class EventSource {
 public:
  enum class State { kEvent, kIdle, kEnded };
  virtual ~EventSource() = default;
  // Waits at most `wait` for the next event: kEvent with `*event` set, kIdle when none came in
  // time, kEnded when no event will ever come.
  virtual State Next(std::chrono::milliseconds wait, ServerSentEvent* event) = 0;
};

// A bounded queue of events. Publish and Close may be called from any thread; Next from one.
// When more than `capacity` events wait, the oldest are dropped (a live view wants the latest
// state, not every step) and the next event delivered is preceded by none of them.
class EventQueue final : public EventSource {
 public:
  explicit EventQueue(size_t capacity = 256) : capacity_(capacity) {}

  void Publish(ServerSentEvent event);
  // The events already published are still delivered, then Next says kEnded.
  void Close();
  size_t dropped() const;

  State Next(std::chrono::milliseconds wait, ServerSentEvent* event) override;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ServerSentEvent> events_;  // Guarded by mutex_.
  bool closed_ = false;                 // Guarded by mutex_.
  size_t dropped_ = 0;                  // Guarded by mutex_.
};

}  // namespace otsync::console
