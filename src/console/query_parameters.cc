#include "console/query_parameters.h"

#include <charconv>

namespace otsync::console {

Result<int64_t> QueryInteger(const ApiRequest& request, const std::string& key, int64_t fallback,
                             int64_t min, int64_t max) {
  auto found = request.query.find(key);
  if (found == request.query.end()) return fallback;
  const std::string& text = found->second;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Status::InvalidArgument(key + ": expected an integer " + std::to_string(min) + ".." +
                                   std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

}  // namespace otsync::console
