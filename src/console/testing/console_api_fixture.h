// The gtest fixture of the console's route tests: the whole request pipeline (ConsoleApi: the
// Origin/Host guard, routing, authentication, CSRF) without sockets, on a data dir of the test's
// own, with the requests of the CLI and of a caller without a credential, and readers of the
// answers. Linked only by tests (target otsync_console_testing).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "console/api_types.h"
#include "console/console_api.h"
#include "console/console_auth.h"
#include "testing/temporary_directory.h"

namespace otsync::console {

// The admin password and CLI token ConsoleApiFixture's auth_ accepts.
inline constexpr char kFixturePassword[] = "s3cret-admin-password";
inline constexpr char kFixtureCliToken[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
// The port of the console as its requests' Host names it (no socket is opened).
inline constexpr int kFixturePort = 8900;

// An API without routes (a subclass's SetUp adds the ones it tests) that serves 127.0.0.1:8900
// and signs in with kFixturePassword or kFixtureCliToken, at a time `clock_` keeps until a test
// moves it. The temporary directory is removed after each test.
class ConsoleApiFixture : public ::testing::Test {
 protected:
  explicit ConsoleApiFixture(int64_t clock_start_micros);

  // A new api_ without routes, in place of the old one and its routes.
  void ResetApi();

  // "<temporary>/data", not created: the code under test makes it, as on a first start.
  std::string data_dir() const { return temporary_.Child("data"); }

  // A request from 127.0.0.1 to the console's host without a credential; a non-empty `body` is
  // sent as JSON.
  static ApiRequest Request(std::string method, std::string path, std::string body = "");
  // A request of the CLI (the bearer token) through api_, with `body` (unless null) as JSON.
  ApiResponse Call(const std::string& method, const std::string& path,
                   const nlohmann::json& body = nullptr,
                   std::map<std::string, std::string> query = {});

  // The JSON of `response`, a failure when its status is not `status` (discarded when the body
  // is not JSON).
  static nlohmann::json Expect(int status, const ApiResponse& response);
  // The error's code, or "(no error: <body>)"; a failure when the error has no message.
  static std::string ErrorCode(const ApiResponse& response);
  // The error's message, or the body when it holds no error.
  static std::string ErrorMessage(const ApiResponse& response);

  otsync::testing::TemporaryDirectory temporary_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<ConsoleApi> api_;
};

}  // namespace otsync::console
