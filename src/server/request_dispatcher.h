// Maps an API name ("PutRow") to the handler that turns a request body into a response body.
// Handlers are registered by area: RegisterTableHandlers (table_handlers.h),
// RegisterRowHandlers (row_handlers.h); the Stream issue adds RegisterStreamHandlers the same
// way. Unregistered names are answered "Unsupported operation: X." by the service front.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/store.h"

namespace otsync::server {

// What a handler may use for one request.
struct ApiContext {
  store::Store* store = nullptr;
  std::string instance;   // The authenticated instance (x-ots-instancename).
  bool is_admin = false;  // The request was signed with an admin key.
};

// Returns the serialized response message, or an error that the front answers with a
// protobuf Error (wire::ToWireError gives code and HTTP status).
using ApiHandler = std::function<Result<std::string>(const ApiContext&, std::string_view body)>;

class RequestDispatcher {
 public:
  // REQUIRED: `api` is not registered yet.
  void Register(std::string api, ApiHandler handler);

  bool Knows(std::string_view api) const;
  // REQUIRED: Knows(api). Thread-safe once registration is over.
  Result<std::string> Dispatch(std::string_view api, const ApiContext& context,
                               std::string_view body) const;

 private:
  std::map<std::string, ApiHandler, std::less<>> handlers_;
};

// A dispatcher with every API otsd serves.
RequestDispatcher MakeDefaultDispatcher();

}  // namespace otsync::server
