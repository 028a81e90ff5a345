#include "console/api_router.h"

#include <algorithm>
#include <cassert>

namespace otsync::console {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;  // After the leading '/'.
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    segments.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>* params) {
  if (path.empty() || path.front() != '/') return false;
  std::vector<std::string_view> want = Segments(pattern);
  std::vector<std::string_view> have = Segments(path);
  if (want.size() != have.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsParameter(want[i])) {
      std::string value;
      if (have[i].empty() || !PercentDecode(have[i], &value)) return false;
      found[std::string(want[i].substr(1, want[i].size() - 2))] = std::move(value);
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view text, std::string* decoded) {
  decoded->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded->push_back(text[i]);
      continue;
    }
    int high = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) return false;
    decoded->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

void ApiRouter::Add(std::string method, std::string pattern, Access access, ApiHandler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  routes_.push_back(Route{std::move(method), std::move(pattern), access, std::move(handler)});
}

ApiRouter::Lookup ApiRouter::Find(std::string_view method, std::string_view path) const {
  Lookup lookup;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchPath(route.pattern, path, &params)) continue;
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      lookup.route = &route;
      lookup.path_params = std::move(params);
      lookup.allowed_methods.clear();
      return lookup;
    }
    if (std::find(lookup.allowed_methods.begin(), lookup.allowed_methods.end(), route.method) ==
        lookup.allowed_methods.end()) {
      lookup.allowed_methods.push_back(route.method);
    }
  }
  return lookup;
}

}  // namespace otsync::console
