// Maps an API name ("PutRow") to the handler that turns a request body into a response body.
// Handlers are registered by area: RegisterTableHandlers (table_handlers.h),
// RegisterRowHandlers (row_handlers.h); the Stream issue adds RegisterStreamHandlers the same
// way. Unregistered names are answered "Unsupported operation: X." by the service front.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "server/read_ahead.h"
#include "store/store.h"

namespace otsync::server {

// What a handler may use for one request.
struct ApiContext {
  store::Store* store = nullptr;
  std::string instance;   // The authenticated instance (x-ots-instancename).
  bool is_admin = false;  // The request was signed with an admin key.
  // Where a handler whose answer was prepared earlier (stream read-ahead) leaves its
  // x-ots-contentmd5, so that the front does not hash the body again. Null = not offered.
  std::string* known_content_md5 = nullptr;
  // The caller does not check the answer's x-ots-contentmd5 (wire::kContentMd5CheckHeader): the
  // answer goes without it, so a handler need not hash what it builds.
  bool content_md5_unchecked = false;
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

struct DispatcherOptions {
  // Prepares the next GetStreamRecord answer of a sequential reader in the background
  // (server/read_ahead.h); null = off. Shared so that tests can read its counters. Its
  // jobs read the store: the last reference must be dropped before the store closes.
  std::shared_ptr<ReadAhead> stream_read_ahead = std::make_shared<ReadAhead>();
  // The same for the next GetRange pages of a scan (row_handlers.cc); null = off. A page's
  // content MD5 is computed on the read-ahead's finisher thread while the next page is built
  // (none for a scan that does not check it: PreparedAnswer::content_md5_wanted).
  std::shared_ptr<ReadAhead> range_read_ahead = std::make_shared<ReadAhead>(WithContentMd5Finish());
};

// A dispatcher with every API otsd serves.
RequestDispatcher MakeDefaultDispatcher(const DispatcherOptions& options = {});

}  // namespace otsync::server
