#include "console/server_sent_events.h"

namespace otsync::console {
namespace {

std::string OneLine(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c != '\n' && c != '\r') line.push_back(c);
  }
  return line;
}

}  // namespace

std::string FormatServerSentEvent(const ServerSentEvent& event) {
  std::string text;
  if (!event.id.empty()) text += "id: " + OneLine(event.id) + "\n";
  if (!event.event.empty()) text += "event: " + OneLine(event.event) + "\n";
  // Every line of the data (split at \r\n, \r or \n) is its own data field.
  size_t start = 0;
  const std::string& data = event.data;
  while (true) {
    size_t end = data.find_first_of("\r\n", start);
    text += "data: " + data.substr(start, end == std::string::npos ? end : end - start) + "\n";
    if (end == std::string::npos) break;
    start = end + (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n' ? 2 : 1);
  }
  text += "\n";
  return text;
}

std::string_view ServerSentKeepAlive() { return ": keep-alive\n\n"; }

void EventQueue::Publish(ServerSentEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    events_.push_back(std::move(event));
    while (events_.size() > capacity_) {
      events_.pop_front();
      ++dropped_;
    }
  }
  changed_.notify_all();
}

void EventQueue::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

size_t EventQueue::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

EventSource::State EventQueue::Next(std::chrono::milliseconds wait, ServerSentEvent* event) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !events_.empty() || closed_; });
  if (!events_.empty()) {
    *event = std::move(events_.front());
    events_.pop_front();
    return State::kEvent;
  }
  return closed_ ? State::kEnded : State::kIdle;
}

}  // namespace otsync::console
