#include "console/testing/console_api_fixture.h"

#include <utility>

#include "console/password_hash.h"
#include "console/request_origin.h"

namespace otsync::console {
namespace {

// The cheapest scrypt cost the hash accepts: a login in a test takes milliseconds.
std::string FixturePasswordHash() {
  Result<std::string> hash = HashPassword(kFixturePassword, ScryptCost{10, 8, 1});
  if (!hash.ok()) {
    ADD_FAILURE() << "hashing the fixture's password: " << hash.status().ToString();
    return "";
  }
  return *hash;
}

}  // namespace

ConsoleApiFixture::ConsoleApiFixture(int64_t clock_start_micros)
    : temporary_(std::string("otsync_console_") +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name()),
      clock_(std::make_shared<ManualClock>(clock_start_micros)),
      auth_(std::make_unique<ConsoleAuth>(FixturePasswordHash(), kFixtureCliToken, clock_)) {
  ResetApi();
}

void ConsoleApiFixture::ResetApi() {
  api_ = std::make_unique<ConsoleApi>(
      RequestOriginGuard({"127.0.0.1", kFixturePort}, kFixturePort, {}), auth_.get());
}

ApiRequest ConsoleApiFixture::Request(std::string method, std::string path, std::string body) {
  ApiRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.headers["host"] = "127.0.0.1:" + std::to_string(kFixturePort);
  if (!body.empty()) request.headers["content-type"] = "application/json";
  request.body = std::move(body);
  request.remote_address = "127.0.0.1";
  return request;
}

ApiResponse ConsoleApiFixture::Call(const std::string& method, const std::string& path,
                                    const nlohmann::json& body,
                                    std::map<std::string, std::string> query) {
  ApiRequest request = Request(method, path, body.is_null() ? "" : body.dump());
  request.query = std::move(query);
  request.headers["authorization"] = std::string("Bearer ") + kFixtureCliToken;
  return api_->Handle(std::move(request));
}

nlohmann::json ConsoleApiFixture::Expect(int status, const ApiResponse& response) {
  EXPECT_EQ(response.status, status) << response.body;
  return nlohmann::json::parse(response.body, nullptr, false);
}

std::string ConsoleApiFixture::ErrorCode(const ApiResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) return "(no error: " + response.body + ")";
  EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
  return body["error"]["code"].get<std::string>();
}

std::string ConsoleApiFixture::ErrorMessage(const ApiResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"]["message"].get<std::string>()
                                                    : response.body;
}

}  // namespace otsync::console
