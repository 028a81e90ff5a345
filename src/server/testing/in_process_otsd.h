// Test support for the server's tests: requests signed as the SDKs sign them, and an otsd running
// inside the test process (real store on a temporary directory, real HTTP server on a free port
// of 127.0.0.1). Linked only by tests (target otsync_server_testing).
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "proto/table_store.pb.h"
#include "server/authenticator.h"
#include "server/http_server.h"
#include "server/ots_service.h"
#include "server/read_ahead.h"
#include "server/request_dispatcher.h"
#include "store/store.h"
#include "testing/temporary_directory.h"
#include "wire/signature.h"

namespace otsync::server {

// The instance and keys of DevelopmentCredentials(), which InProcessOtsd accepts.
inline constexpr char kDevelopmentInstance[] = "local";
inline constexpr char kDevelopmentKeyId[] = "otsync-local-id";
inline constexpr char kDevelopmentSecret[] = "otsync-local-secret";
inline constexpr char kDevelopmentAdminKeyId[] = "admin-id";
inline constexpr char kDevelopmentAdminSecret[] = "admin-secret";

// The x-ots-* headers of a request to "/<api>" with `body`: dated now by the real clock (the
// server checks request dates against it), API version 2015-12-31, content MD5 and the
// signature with `secret`.
wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view key_id = kDevelopmentKeyId,
                                     std::string_view secret = kDevelopmentSecret,
                                     std::string_view instance = kDevelopmentInstance);

// POSTs a request signed as SignedRequestHeaders signs it to "/<api>" through `client`.
httplib::Result PostSigned(httplib::Client& client, std::string_view api, std::string_view body,
                           std::string_view key_id = kDevelopmentKeyId,
                           std::string_view secret = kDevelopmentSecret);

// What came back for one POST. Without a response, `status` is -1 and `body` says why.
struct PostAnswer {
  int status = 0;
  httplib::Headers headers;
  std::string body;
};

// A CreateTable request for `name` with one STRING primary key column "pk", one version kept, no
// TTL, no reserved throughput and no stream.
proto::CreateTableRequest StringKeyTableRequest(std::string_view name);

// Waits until `read_ahead` has run `count` jobs, at most 10 s; returns the number it has run, so
// that a test asserts it equals `count`.
uint64_t WaitForReadAheadJobs(const ReadAhead& read_ahead, uint64_t count);

struct InProcessOtsdOptions {
  // Passed to store::Store::Open except `path` (a fresh temporary directory). A null `clock`
  // means DefaultClock(); it stamps the store's data only: request and response dates follow the
  // real clock.
  store::StoreOptions store;
  DispatcherOptions dispatcher;
  // Called on the default dispatcher before the service is built, to register more handlers
  // (RegisterFaultInjectionHandlers).
  std::function<void(RequestDispatcher*)> register_handlers;
  int threads = 4;  // HttpServerOptions::threads.
  // HttpServerOptions' other limits; host and port are the test's.
  HttpServerOptions http;
};

// An otsd that accepts DevelopmentCredentials(), serving on 127.0.0.1 at port(). Destruction
// stops the HTTP server first, then closes the store and removes its directory.
class InProcessOtsd {
 public:
  static Result<std::unique_ptr<InProcessOtsd>> Start(InProcessOtsdOptions options = {});
  ~InProcessOtsd();

  InProcessOtsd(const InProcessOtsd&) = delete;
  InProcessOtsd& operator=(const InProcessOtsd&) = delete;

  int port() const { return server_->port(); }
  store::Store* store() const { return store_.get(); }
  const Authenticator* authenticator() const { return authenticator_.get(); }
  // A keep-alive client of this server.
  httplib::Client& client() { return *client_; }

  // PostSigned through client().
  PostAnswer Post(std::string_view api, std::string_view body,
                  std::string_view key_id = kDevelopmentKeyId,
                  std::string_view secret = kDevelopmentSecret);

 private:
  InProcessOtsd() = default;

  // Declared in the order they are built: each may use the ones above it.
  std::unique_ptr<otsync::testing::TemporaryDirectory> directory_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<OtsService> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace otsync::server
