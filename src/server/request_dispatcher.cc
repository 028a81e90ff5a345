#include "server/request_dispatcher.h"

#include <cassert>
#include <utility>

#include "server/admin_handlers.h"
#include "server/row_handlers.h"
#include "server/stream_handlers.h"
#include "server/table_handlers.h"

namespace otsync::server {

void RequestDispatcher::Register(std::string api, ApiHandler handler) {
  const bool inserted = handlers_.emplace(std::move(api), std::move(handler)).second;
  assert(inserted);
  (void)inserted;
}

bool RequestDispatcher::Knows(std::string_view api) const {
  return handlers_.find(api) != handlers_.end();
}

Result<std::string> RequestDispatcher::Dispatch(std::string_view api, const ApiContext& context,
                                                std::string_view body) const {
  auto it = handlers_.find(api);
  if (it == handlers_.end()) {
    return Status::InvalidArgument("Unsupported operation: " + std::string(api) + ".");
  }
  return it->second(context, body);
}

RequestDispatcher MakeDefaultDispatcher(const DispatcherOptions& options) {
  RequestDispatcher dispatcher;
  RegisterTableHandlers(&dispatcher);
  RegisterRowHandlers(&dispatcher, options.range_read_ahead);
  RegisterStreamHandlers(&dispatcher, options.stream_read_ahead);
  RegisterAdminHandlers(&dispatcher);
  return dispatcher;
}

}  // namespace otsync::server
