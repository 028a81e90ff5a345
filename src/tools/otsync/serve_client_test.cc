// The client against the console's real pipeline and listener on loopback (routes added by the
// test): the token signs the requests, the API's errors come back as Statuses with the server's
// message, and no message holds the token.
#include "tools/otsync/serve_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "console/serve_state_file.h"
#include "tools/otsync/testing/console_test_server.h"

namespace otsync::tools {
namespace {

using console::Access;
using console::ApiRequest;
using console::ApiResponse;

class ServeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.router().Add("GET", "/api/things", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      nlohmann::json query = r.query;
      return ApiResponse::Json(200, nlohmann::json{{"query", query}}.dump());
    });
    server_.router().Add("POST", "/api/things", Access::kSignedIn, [this](const ApiRequest& r) {
      server_.Record(r);
      return ApiResponse::Json(201, r.body);
    });
    server_.router().Add("PUT", "/api/things/{name}", Access::kSignedIn, [](const ApiRequest& r) {
      return ApiResponse::Error(400, "invalid_argument", "cycle 'x': unknown kind");
    });
    server_.router().Add(
        "DELETE", "/api/things/{name}", Access::kSignedIn, [](const ApiRequest& r) {
          return ApiResponse::Error(404, "not_found", "no task '" + r.PathParam("name") + "'");
        });
    server_.Start();
  }

  testing::ConsoleTestServer server_;
};

TEST_F(ServeClientTest, SendsJsonWithTheTokenAndReadsTheAnswer) {
  Result<ServeClient> client = ServeClient::ForUrl(server_.url(), server_.token());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Result<nlohmann::json> created = client->Post("/api/things", {{"name", "a b"}, {"n", 3}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["name"], "a b");
  EXPECT_EQ((*created)["n"], 3);

  Result<nlohmann::json> listed = client->Get("/api/things", {{"task", "x y&z"}, {"limit", "5"}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ((*listed)["query"]["task"], "x y&z");
  EXPECT_EQ((*listed)["query"]["limit"], "5");
}

TEST_F(ServeClientTest, ApiErrorsBecomeStatusesWithTheServersMessage) {
  Result<ServeClient> client = ServeClient::ForUrl(server_.url(), server_.token());
  ASSERT_TRUE(client.ok());
  Result<nlohmann::json> refused = client->Put("/api/things/t", nlohmann::json::object());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "cycle 'x': unknown kind");

  Result<nlohmann::json> missing = client->Delete("/api/things/" + PercentEncode("a b"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "no task 'a b'");

  Result<nlohmann::json> no_route = client->Get("/api/nothing");
  ASSERT_FALSE(no_route.ok());
  EXPECT_EQ(no_route.status().code(), StatusCode::kNotFound);
}

TEST_F(ServeClientTest, AWrongTokenIsRefusedWithoutShowingIt) {
  const std::string wrong = "wrong-token-that-must-not-be-shown";
  Result<ServeClient> client = ServeClient::ForUrl(server_.url(), wrong);
  ASSERT_TRUE(client.ok());
  Result<nlohmann::json> answer = client->Get("/api/things");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kAuthFailed);
  EXPECT_NE(answer.status().message().find("CLI token was refused"), std::string::npos);
  EXPECT_EQ(answer.status().message().find(wrong), std::string::npos);
  EXPECT_EQ(answer.status().message().find(server_.token()), std::string::npos);
}

TEST(ServeClientConnectTest, NoServerOrAStaleFileSaysHowToStartOne) {
  namespace fs = std::filesystem;
  const std::string dir =
      (fs::temp_directory_path() / ("serve_client_test_" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  Result<ServeClient> none = ServeClient::Connect(dir);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "no otsync serve is running for " + dir +
                                         " (start one with: otsync serve --data-dir " + dir + ")");

  // A pid that is not running (pid_max is below 2^22).
  ASSERT_TRUE(console::WriteServeState(dir, {(1 << 22) + 17, "http://127.0.0.1:1", ""}).ok());
  Result<ServeClient> stale = ServeClient::Connect(dir);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(stale.status().message().starts_with("no otsync serve is running for " + dir))
      << stale.status().message();
  EXPECT_NE(stale.status().message().find("start one with: otsync serve --data-dir " + dir),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(ServeClientConnectTest, AServerThatIsGoneIsUnavailableNamingItsAddress) {
  // A port nothing listens on: bound, then closed.
  int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(socket, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  ::close(socket);
  ServeClientOptions options;
  options.read_timeout = std::chrono::milliseconds(2000);
  Result<ServeClient> client =
      ServeClient::ForUrl("http://127.0.0.1:" + std::to_string(port), "secret-token-xyz", options);
  ASSERT_TRUE(client.ok());
  Result<nlohmann::json> answer = client->Get("/api/tasks");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(answer.status().message().find("cannot reach otsync serve at http://127.0.0.1:" +
                                           std::to_string(port)),
            std::string::npos);
  EXPECT_EQ(answer.status().message().find("secret-token-xyz"), std::string::npos);
}

TEST(StatusFromErrorResponseTest, CodesAndBodiesNotOfTheShape) {
  EXPECT_EQ(StatusFromErrorResponse(409, R"({"error":{"code":"already_exists","message":"m"}})"),
            Status(StatusCode::kAlreadyExists, "m"));
  Status plain = StatusFromErrorResponse(502, "<html>bad gateway</html>");
  EXPECT_EQ(plain.code(), StatusCode::kInternal);
  EXPECT_EQ(plain.message(), "otsync serve answered HTTP 502");
  EXPECT_EQ(StatusFromErrorResponse(503, "{}").code(), StatusCode::kUnavailable);
  EXPECT_EQ(PercentEncode("a b/c~"), "a%20b%2Fc~");
}

}  // namespace
}  // namespace otsync::tools
