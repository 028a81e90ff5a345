// The console API's route table: METHOD + path pattern -> who may call it + handler.
//
// A pattern is a path whose segments are literal or "{name}" (one non-empty segment, handed to
// the handler percent-decoded as request.PathParam("name")). Routes are matched in the order they
// were added; literal segments do not outrank parameters, so add "/api/tasks/new" before
// "/api/tasks/{name}" if both exist. A route module adds its routes with one function, e.g.
//
//   void AddTaskRoutes(ApiRouter& router, schedule::Scheduler& scheduler) {
//     router.Add("GET", "/api/tasks", Access::kSignedIn, [&](const ApiRequest& request) {...});
//   }
//
// Not thread-safe while routes are added; Find may then be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "console/api_types.h"

namespace otsync::console {

enum class Access {
  kPublic,    // No credential needed (health, login, the page).
  kSignedIn,  // A session cookie (plus the CSRF header to change state) or the CLI's token.
};

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  ApiHandler handler;
};

class ApiRouter {
 public:
  // REQUIRES: `pattern` begins with '/'.
  void Add(std::string method, std::string pattern, Access access, ApiHandler handler);

  struct Lookup {
    const Route* route = nullptr;  // Null: see `allowed_methods`.
    std::map<std::string, std::string> path_params;
    // When no route matched: the methods routes of this path accept (405 with Allow), or empty
    // when no route has this path at all (404).
    std::vector<std::string> allowed_methods;
  };
  // GET routes also answer HEAD.
  Lookup Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// "%2F" -> "/", "+" left alone (a path, not a form); false on a malformed escape.
bool PercentDecode(std::string_view text, std::string* decoded);

}  // namespace otsync::console
