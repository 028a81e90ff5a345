#include "server/testing/in_process_otsd.h"

#include <chrono>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "server/credentials.h"

namespace otsync::server {

wire::HeaderMap SignedRequestHeaders(std::string_view api, std::string_view body,
                                     std::string_view key_id, std::string_view secret,
                                     std::string_view instance) {
  wire::HeaderMap headers = {
      {"x-ots-date", wire::FormatIsoTime(DefaultClock()->NowMicros(), 3)},
      {"x-ots-apiversion", "2015-12-31"},
      {"x-ots-accesskeyid", std::string(key_id)},
      {"x-ots-instancename", std::string(instance)},
      {"x-ots-contentmd5", wire::ContentMd5(body)},
  };
  headers["x-ots-signature"] = wire::SignRequest(api, headers, secret);
  return headers;
}

httplib::Result PostSigned(httplib::Client& client, std::string_view api, std::string_view body,
                           std::string_view key_id, std::string_view secret) {
  const wire::HeaderMap headers = SignedRequestHeaders(api, body, key_id, secret);
  const std::string path = "/" + std::string(api);
  return client.Post(path, httplib::Headers(headers.begin(), headers.end()), body.data(),
                     body.size(), "application/octet-stream");
}

uint64_t WaitForReadAheadJobs(const ReadAhead& read_ahead, uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_ahead.jobs_run() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return read_ahead.jobs_run();
}

proto::CreateTableRequest StringKeyTableRequest(std::string_view name) {
  proto::CreateTableRequest request;
  request.mutable_table_meta()->set_table_name(std::string(name));
  proto::PrimaryKeySchema* primary_key = request.mutable_table_meta()->add_primary_key();
  primary_key->set_name("pk");
  primary_key->set_type(proto::STRING);
  request.mutable_reserved_throughput()->mutable_capacity_unit()->set_read(0);
  request.mutable_reserved_throughput()->mutable_capacity_unit()->set_write(0);
  request.mutable_table_options()->set_time_to_live(-1);
  request.mutable_table_options()->set_max_versions(1);
  return request;
}

Result<std::unique_ptr<InProcessOtsd>> InProcessOtsd::Start(InProcessOtsdOptions options) {
  std::unique_ptr<InProcessOtsd> otsd(new InProcessOtsd());
  otsd->directory_ = std::make_unique<otsync::testing::TemporaryDirectory>("otsd_in_process");
  options.store.path = otsd->directory_->path().string();
  if (options.store.clock == nullptr) options.store.clock = DefaultClock();
  Result<std::unique_ptr<store::Store>> store = store::Store::Open(options.store);
  if (!store.ok()) return store.status();
  otsd->store_ = std::move(store).value();
  otsd->authenticator_ =
      std::make_unique<Authenticator>(DevelopmentCredentials(), DefaultClock(), AuthOptions{});
  RequestDispatcher dispatcher = MakeDefaultDispatcher(options.dispatcher);
  if (options.register_handlers) options.register_handlers(&dispatcher);
  otsd->service_ = std::make_unique<OtsService>(otsd->store_.get(), otsd->authenticator_.get(),
                                                std::move(dispatcher), DefaultClock());
  HttpServerOptions server_options = options.http;
  server_options.host = "127.0.0.1";
  server_options.port = 0;
  server_options.threads = options.threads;
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(server_options, otsd->service_.get());
  if (!server.ok()) return server.status();
  otsd->server_ = std::move(server).value();
  otsd->client_ = std::make_unique<httplib::Client>("127.0.0.1", otsd->server_->port());
  otsd->client_->set_keep_alive(true);
  return otsd;
}

InProcessOtsd::~InProcessOtsd() {
  client_.reset();
  // The server's workers use the service and the store until Stop returns.
  if (server_) server_->Stop();
}

PostAnswer InProcessOtsd::Post(std::string_view api, std::string_view body, std::string_view key_id,
                               std::string_view secret) {
  httplib::Result result = PostSigned(*client_, api, body, key_id, secret);
  if (!result) return PostAnswer{-1, {}, httplib::to_string(result.error())};
  return PostAnswer{result->status, result->headers, result->body};
}

}  // namespace otsync::server
