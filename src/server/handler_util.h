// Glue shared by the API handler files: parse the request message, run a typed handler.
// Instantiated only in .cc files that include the generated protobuf headers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "server/proto_conversion.h"
#include "server/request_dispatcher.h"

namespace otsync::server {

template <typename Request>
using TypedApiHandler = Result<std::string> (*)(const ApiContext&, const Request&);

// An ApiHandler that parses the body as `Request` (required fields checked) and calls `handler`.
template <typename Request>
ApiHandler MakeHandler(TypedApiHandler<Request> handler) {
  return [handler](const ApiContext& context, std::string_view body) -> Result<std::string> {
    Request request;
    OTSYNC_RETURN_IF_ERROR(ParseRequest(body, &request));
    return handler(context, request);
  };
}

class ReadAhead;

template <typename Request>
using ReadAheadApiHandler = Result<std::string> (*)(const ApiContext&, const Request&, ReadAhead*);

// The same for a handler that answers from, and prepares, a read-ahead (read_ahead.h): it gets
// `read_ahead`, which the returned ApiHandler keeps alive; null turns read-ahead off.
template <typename Request>
ApiHandler MakeHandler(ReadAheadApiHandler<Request> handler,
                       std::shared_ptr<ReadAhead> read_ahead) {
  return [handler, read_ahead = std::move(read_ahead)](
             const ApiContext& context, std::string_view body) -> Result<std::string> {
    Request request;
    OTSYNC_RETURN_IF_ERROR(ParseRequest(body, &request));
    return handler(context, request, read_ahead.get());
  };
}

}  // namespace otsync::server
