// The listener on a real loopback socket: requests reach the pipeline, responses come back with
// their headers, a server-sent event stream arrives event by event, and the library's own
// errors keep the JSON shape and the security headers.
#include "console/http_listener.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "console/password_hash.h"

namespace otsync::console {
namespace {

// A dummy event source standing where the scheduler's progress subscription will: it publishes
// `count` numbered events from its own thread, then ends.
class CountingSource {
 public:
  explicit CountingSource(int count) : queue_(std::make_shared<EventQueue>()) {
    thread_ = std::thread([this, count] {
      for (int i = 1; i <= count; ++i) {
        queue_->Publish({"progress", "{\"records\":" + std::to_string(i * 100) + "}\nline two",
                         std::to_string(i)});
      }
      queue_->Close();
    });
  }
  ~CountingSource() { thread_.join(); }
  std::shared_ptr<EventQueue> queue() const { return queue_; }

 private:
  std::shared_ptr<EventQueue> queue_;
  std::thread thread_;
};

class HttpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> hash = HashPassword("unused-password", ScryptCost{10, 8, 1});
    ASSERT_TRUE(hash.ok());
    auth_ = std::make_unique<ConsoleAuth>(*hash, "token", DefaultClock());
    HttpListenerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = 1024;
    options.event_keep_alive_millis = 50;
    options.log = [this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_ += line + "\n";
    };
    Result<std::unique_ptr<HttpListener>> listener = HttpListener::Bind(options);
    ASSERT_TRUE(listener.ok()) << listener.status().ToString();
    listener_ = std::move(*listener);
    api_ = std::make_unique<ConsoleApi>(RequestOriginGuard({"127.0.0.1", 0}, listener_->port(), {}),
                                        auth_.get());
    api_->router().Add("POST", "/api/echo", Access::kPublic, [](const ApiRequest& request) {
      return ApiResponse::Json(200, "{\"query\":\"" + request.query.at("q") + "\",\"length\":" +
                                        std::to_string(request.body.size()) + "}");
    });
    api_->router().Add("GET", "/api/events", Access::kPublic, [this](const ApiRequest&) {
      source_ = std::make_unique<CountingSource>(3);
      return ApiResponse::EventStream(source_->queue());
    });
    api_->router().Add("GET", "/api/idle-events", Access::kPublic, [this](const ApiRequest&) {
      idle_queue_ = std::make_shared<EventQueue>();
      return ApiResponse::EventStream(idle_queue_);
    });
    listener_->Serve(api_.get());
  }
  void TearDown() override {
    if (listener_) listener_->Stop();
    source_.reset();
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", listener_->port());
    client.set_read_timeout(10, 0);
    return client;
  }

  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<HttpListener> listener_;
  std::unique_ptr<ConsoleApi> api_;
  std::unique_ptr<CountingSource> source_;
  std::shared_ptr<EventQueue> idle_queue_;
  std::mutex log_mutex_;
  std::string log_;
};

TEST_F(HttpListenerTest, RequestsReachThePipelineAndResponsesKeepTheirHeaders) {
  httplib::Client client = Client();
  httplib::Result echoed =
      client.Post("/api/echo?q=hello%20there", "{\"secret\":\"do-not-log\"}", "application/json");
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->status, 200);
  EXPECT_EQ(echoed->body, "{\"query\":\"hello there\",\"length\":23}");
  EXPECT_EQ(echoed->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(echoed->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(echoed->get_header_value_count("Content-Security-Policy"), 1u);

  httplib::Result missing = client.Get("/api/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("\"code\":\"not_found\""), std::string::npos);

  std::lock_guard lock(log_mutex_);
  EXPECT_NE(log_.find("POST /api/echo 200"), std::string::npos) << log_;
  EXPECT_NE(log_.find("GET /api/missing 404"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("do-not-log"), std::string::npos) << "bodies are never logged";
  EXPECT_EQ(log_.find("hello"), std::string::npos) << "query strings are never logged";
}

TEST_F(HttpListenerTest, ErrorsOfTheLibraryKeepTheJsonShapeAndSecurityHeaders) {
  httplib::Client client = Client();
  httplib::Result too_large =
      client.Post("/api/echo?q=x", std::string(4096, 'x'), "application/json");
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_NE(too_large->body.find("\"code\":\"request_too_large\""), std::string::npos)
      << too_large->body;
  EXPECT_FALSE(too_large->get_header_value("Content-Security-Policy").empty());
}

TEST_F(HttpListenerTest, ServerSentEventsArriveInOrderAndTheStreamEnds) {
  httplib::Client client = Client();
  std::string received;
  httplib::Result streamed = client.Get("/api/events", [&](const char* data, size_t size) {
    received.append(data, size);
    return true;
  });
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_EQ(streamed->get_header_value("Cache-Control"), "no-store");
  std::string expected;
  for (int i = 1; i <= 3; ++i) {
    expected += "id: " + std::to_string(i) +
                "\nevent: progress\ndata: {\"records\":" + std::to_string(i * 100) +
                "}\ndata: line two\n\n";
  }
  // Keep-alive comments may come between events; without them the stream is exactly the events.
  std::string without_comments;
  size_t start = 0;
  while (start < received.size()) {
    size_t end = received.find("\n\n", start);
    std::string block = received.substr(start, end + 2 - start);
    if (block.rfind(":", 0) != 0) without_comments += block;
    start = end + 2;
  }
  EXPECT_EQ(without_comments, expected);
}

TEST_F(HttpListenerTest, AnIdleStreamSendsKeepAlivesAndStopEndsIt) {
  httplib::Client client = Client();
  std::string received;
  std::thread reader([&] {
    client.Get("/api/idle-events", [&](const char* data, size_t size) {
      received.append(data, size);
      return received.size() < 3 * ServerSentKeepAlive().size();
    });
  });
  reader.join();
  EXPECT_EQ(received.substr(0, ServerSentKeepAlive().size()), ServerSentKeepAlive());

  // A stream that never ends must not hold up Stop.
  std::thread second([&] {
    httplib::Client other = Client();
    other.Get("/api/idle-events", [](const char*, size_t) { return true; });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  listener_->Stop();
  second.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(ServerSentEventTest, FormatsFieldsAndSplitsDataLines) {
  EXPECT_EQ(FormatServerSentEvent({"", "plain", ""}), "data: plain\n\n");
  EXPECT_EQ(FormatServerSentEvent({"ev\nil", "a\r\nb\rc\n", "1\r2"}),
            "id: 12\nevent: evil\ndata: a\ndata: b\ndata: c\ndata: \n\n");
}

TEST(EventQueueTest, DropsTheOldestWhenFullAndEndsAfterClose) {
  EventQueue queue(2);
  for (int i = 0; i < 5; ++i) queue.Publish({"", std::to_string(i), ""});
  queue.Close();
  queue.Publish({"", "after close", ""});
  EXPECT_EQ(queue.dropped(), 3u);
  ServerSentEvent event;
  ASSERT_EQ(queue.Next(std::chrono::milliseconds(0), &event), EventSource::State::kEvent);
  EXPECT_EQ(event.data, "3");
  ASSERT_EQ(queue.Next(std::chrono::milliseconds(0), &event), EventSource::State::kEvent);
  EXPECT_EQ(event.data, "4");
  EXPECT_EQ(queue.Next(std::chrono::milliseconds(0), &event), EventSource::State::kEnded);
  EventQueue idle;
  EXPECT_EQ(idle.Next(std::chrono::milliseconds(1), &event), EventSource::State::kIdle);
}

}  // namespace
}  // namespace otsync::console
