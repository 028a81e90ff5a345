// Result<T>: either a value of T or a non-OK Status, as in absl::StatusOr and arrow::Result.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "base/status.h"

namespace otsync {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRED: `status` is not OK (an OK Result must carry a value).
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok());
  }
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error, or OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(state_); }

  // REQUIRED: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> state_;
};

}  // namespace otsync

#define OTSYNC_CONCAT_INNER(a, b) a##b
#define OTSYNC_CONCAT(a, b) OTSYNC_CONCAT_INNER(a, b)

// OTSYNC_ASSIGN_OR_RETURN(auto row, DecodeRow(bytes)); declares `row` or returns the error.
#define OTSYNC_ASSIGN_OR_RETURN(declaration, expression)       \
  auto OTSYNC_CONCAT(otsync_result_, __LINE__) = (expression); \
  if (!OTSYNC_CONCAT(otsync_result_, __LINE__).ok())           \
    return OTSYNC_CONCAT(otsync_result_, __LINE__).status();   \
  declaration = std::move(OTSYNC_CONCAT(otsync_result_, __LINE__)).value()
