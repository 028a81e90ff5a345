// The whole request pipeline without sockets: the guard, routing, authentication, CSRF, the
// error shape, the security headers, and the routes that need no scheduler.
#include "console/console_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "console/console_page.h"
#include "console/datasource_routes.h"
#include "console/params_routes.h"
#include "console/session_routes.h"
#include "console/testing/console_api_fixture.h"
#include "readers/otsstream/ots_datasource.h"
#include "sync/datasource_registry.h"
#include "writers/odps/odps_datasource.h"

namespace otsync::console {
namespace {

constexpr char kAccessKey[] = "the-access-key-secret-42";
constexpr int64_t kHour = int64_t{3600} * 1000000;

class ConsoleApiTest : public ConsoleApiFixture {
 protected:
  ConsoleApiTest() : ConsoleApiFixture(1'762'000'000'000'000) {}

  void SetUp() override {
    plugins_.AddDataSourceType(readers::otsstream::OtsDataSourceType());
    plugins_.AddDataSourceType(odps::OdpsDataSourceType());
    plugins_.ReplaceDataSourceTester("ots", [this](const sync::DataSource& source) {
      tested_ = source;
      return tester_result_;
    });
    AddSessionRoutes(*api_);
    AddDataSourceRoutes(api_->router(), data_dir(), plugins_);
    AddParamsRoutes(api_->router(), clock_);
    AddPageRoutes(api_->router(), "");
  }

  // A request of the signed-in browser: session cookie and, for changes, the CSRF header.
  ApiResponse Browser(std::string method, std::string path, std::string body = "") {
    ApiRequest request = Request(method, std::move(path), std::move(body));
    request.headers["cookie"] = "theme=dark; otsync_session=" + session_id_;
    request.headers["origin"] = "http://127.0.0.1:8900";
    if (ChangesState(method)) request.headers["x-csrf-token"] = csrf_token_;
    return api_->Handle(std::move(request));
  }
  void SignIn() {
    ApiResponse login =
        api_->Handle(Request("POST", "/api/login", R"({"password":"s3cret-admin-password"})"));
    ASSERT_EQ(login.status, 200) << login.body;
    std::string cookie = Header(login, "Set-Cookie");
    ASSERT_EQ(cookie.rfind("otsync_session=", 0), 0u) << cookie;
    session_id_ = cookie.substr(15, cookie.find(';') - 15);
    csrf_token_ = nlohmann::json::parse(login.body)["csrfToken"].get<std::string>();
  }
  static std::string Header(const ApiResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  sync::PluginRegistry plugins_;
  std::optional<sync::DataSource> tested_;
  Result<std::string> tester_result_ = std::string("reached instance local: 0 tables");
  std::string session_id_;
  std::string csrf_token_;
};

TEST_F(ConsoleApiTest, EveryResponseCarriesTheSecurityHeaders) {
  for (ApiResponse response :
       {api_->Handle(Request("GET", "/api/health")), api_->Handle(Request("GET", "/nowhere")),
        api_->Handle(Request("GET", "/api/datasources")), api_->Handle(Request("GET", "/"))}) {
    std::string csp = Header(response, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
    EXPECT_EQ(Header(response, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(Header(response, "Referrer-Policy"), "no-referrer");
  }
  EXPECT_EQ(Header(api_->Handle(Request("GET", "/api/health")), "Cache-Control"), "no-store");
}

TEST_F(ConsoleApiTest, HealthAndThePageArePublic) {
  ApiResponse health = api_->Handle(Request("GET", "/api/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  ApiResponse page = api_->Handle(Request("GET", "/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("otsync console"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << "no inline script under the CSP";
  ApiResponse script = api_->Handle(Request("GET", "/ui/console.js"));
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(api_->Handle(Request("GET", "/ui/..%2Fconsole_api.cc")).status, 404);
  EXPECT_EQ(api_->Handle(Request("GET", "/ui/.hidden")).status, 404);
}

TEST_F(ConsoleApiTest, SignedInRoutesNeedACredential) {
  for (auto [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/datasources"},
                                                        {"GET", "/api/session"},
                                                        {"POST", "/api/logout"},
                                                        {"DELETE", "/api/datasources/otsstream"},
                                                        {"POST", "/api/params/preview"}}) {
    ApiResponse response = api_->Handle(Request(method, path));
    EXPECT_EQ(response.status, 401) << method << " " << path;
    EXPECT_EQ(ErrorCode(response), "unauthenticated");
  }
  ApiRequest forged = Request("GET", "/api/datasources");
  forged.headers["cookie"] = "otsync_session=" + std::string(64, 'a');
  EXPECT_EQ(api_->Handle(forged).status, 401);
  ApiRequest wrong_token = Request("GET", "/api/datasources");
  wrong_token.headers["authorization"] = "Bearer " + std::string(64, '0');
  EXPECT_EQ(api_->Handle(wrong_token).status, 401);
}

TEST_F(ConsoleApiTest, ForeignOriginsAndHostsAreForbiddenEvenForPublicRoutes) {
  ApiRequest foreign_origin = Request("POST", "/api/login", R"({"password":"x"})");
  foreign_origin.headers["origin"] = "http://evil.example";
  ApiResponse refused = api_->Handle(foreign_origin);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCode(refused), "forbidden");

  ApiRequest rebound = Request("GET", "/api/health");
  rebound.headers["host"] = "evil.example:8900";
  EXPECT_EQ(api_->Handle(rebound).status, 403);
  ApiRequest no_host = Request("GET", "/api/health");
  no_host.headers.erase("host");
  EXPECT_EQ(api_->Handle(no_host).status, 403);

  SignIn();
  ApiRequest cross_site = Request("GET", "/api/datasources");
  cross_site.headers["cookie"] = "otsync_session=" + session_id_;
  cross_site.headers["origin"] = "http://127.0.0.1:8901";
  EXPECT_EQ(api_->Handle(cross_site).status, 403);
}

TEST_F(ConsoleApiTest, LoginSetsAStrictHttpOnlyCookieAndReturnsTheCsrfToken) {
  ApiResponse wrong = api_->Handle(Request("POST", "/api/login", R"({"password":"guess"})"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(ErrorCode(wrong), "wrong_password");
  EXPECT_EQ(Header(wrong, "Set-Cookie"), "");
  EXPECT_EQ(api_->Handle(Request("POST", "/api/login", "{}")).status, 400);
  EXPECT_EQ(api_->Handle(Request("POST", "/api/login", "not json")).status, 400);

  ApiResponse login =
      api_->Handle(Request("POST", "/api/login", R"({"password":"s3cret-admin-password"})"));
  ASSERT_EQ(login.status, 200);
  std::string cookie = Header(login, "Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_NE(cookie.find("; Max-Age=43200"), std::string::npos);
  EXPECT_EQ(login.body.find(kFixturePassword), std::string::npos);
  nlohmann::json body = nlohmann::json::parse(login.body);
  EXPECT_EQ(body["csrfToken"].get<std::string>().size(), 64u);
  EXPECT_EQ(body["expiresAt"].get<int64_t>(), clock_->NowMicros() / 1000000 + 12 * 3600);
}

TEST_F(ConsoleApiTest, ChangesNeedTheSessionsCsrfToken) {
  SignIn();
  EXPECT_EQ(Browser("GET", "/api/datasources").status, 200);
  const std::string form = R"({"name":"src1","type":"odps","warehouse":"/tmp/w","project":"p1"})";

  ApiRequest without = Request("POST", "/api/datasources", form);
  without.headers["cookie"] = "otsync_session=" + session_id_;
  ApiResponse refused = api_->Handle(without);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCode(refused), "csrf_mismatch");
  without.headers["x-csrf-token"] = std::string(64, 'f');
  EXPECT_EQ(api_->Handle(without).status, 403);

  EXPECT_EQ(Browser("POST", "/api/datasources", form).status, 201);
  ApiResponse session = Browser("GET", "/api/session");
  EXPECT_EQ(nlohmann::json::parse(session.body)["csrfToken"], csrf_token_);
}

TEST_F(ConsoleApiTest, TheCliTokenWorksWithoutCsrf) {
  ApiRequest request = Request("POST", "/api/datasources",
                               R"({"name":"src2","type":"odps","warehouse":"/w","project":"p"})");
  request.headers["authorization"] = std::string("Bearer ") + kFixtureCliToken;
  EXPECT_EQ(api_->Handle(request).status, 201);
  ApiRequest session = Request("GET", "/api/session");
  session.headers["authorization"] = std::string("Bearer ") + kFixtureCliToken;
  ApiResponse answer = api_->Handle(session);
  EXPECT_EQ(nlohmann::json::parse(answer.body)["credential"], "cli_token");
}

TEST_F(ConsoleApiTest, SessionsExpireWhenIdleAndEndOnLogout) {
  SignIn();
  clock_->AdvanceMicros(11 * kHour);
  EXPECT_EQ(Browser("GET", "/api/datasources").status, 200);
  clock_->AdvanceMicros(12 * kHour);
  EXPECT_EQ(Browser("GET", "/api/datasources").status, 401);

  SignIn();
  ApiResponse logout = Browser("POST", "/api/logout");
  EXPECT_EQ(logout.status, 200);
  EXPECT_NE(Header(logout, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Browser("GET", "/api/datasources").status, 401);
}

TEST_F(ConsoleApiTest, LoginsAreThrottledAfterFiveWrongPasswords) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(api_->Handle(Request("POST", "/api/login", R"({"password":"guess"})")).status, 401);
  }
  ApiResponse throttled =
      api_->Handle(Request("POST", "/api/login", R"({"password":"s3cret-admin-password"})"));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(ErrorCode(throttled), "too_many_requests");
  EXPECT_EQ(Header(throttled, "Retry-After"), "60");
  clock_->AdvanceMicros(61 * 1000000);
  EXPECT_EQ(
      api_->Handle(Request("POST", "/api/login", R"({"password":"s3cret-admin-password"})")).status,
      200);
}

TEST_F(ConsoleApiTest, UnknownPathsMethodsAndBodies) {
  ApiResponse missing = api_->Handle(Request("GET", "/api/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");
  ApiResponse wrong_method = api_->Handle(Request("PATCH", "/api/datasources"));
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(Header(wrong_method, "Allow"), "GET, POST");
  SignIn();
  ApiRequest text = Request("POST", "/api/datasources", "name=x");
  text.headers["content-type"] = "application/x-www-form-urlencoded";
  text.headers["cookie"] = "otsync_session=" + session_id_;
  text.headers["x-csrf-token"] = csrf_token_;
  ApiResponse form = api_->Handle(text);
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(ErrorCode(form), "unsupported_media_type");
}

TEST_F(ConsoleApiTest, DataSourcesNeverSendTheAccessKeyBack) {
  SignIn();
  const std::string form =
      std::string(R"({"name":"src1","type":"ots","endpoint":"http://127.0.0.1:1",)") +
      R"("instance":"local","accessId":"id1","accessKey":")" + kAccessKey +
      R"(","description":"mine"})";
  ApiResponse created = Browser("POST", "/api/datasources", form);
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json view = nlohmann::json::parse(created.body);
  EXPECT_EQ(view["accessKey"], "********");
  EXPECT_EQ(view["accessKeySet"], true);
  EXPECT_EQ(view["accessId"], "id1");
  for (const ApiResponse& response :
       {created, Browser("GET", "/api/datasources"), Browser("GET", "/api/datasources/src1")}) {
    EXPECT_LT(response.status, 300);
    EXPECT_EQ(response.body.find(kAccessKey), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find("the-"), std::string::npos) << "no part of the key either";
  }
  EXPECT_EQ(Browser("POST", "/api/datasources", form).status, 409);

  // An update without a key (or with the mask sent back) keeps the stored key.
  ApiResponse updated = Browser(
      "PUT", "/api/datasources/src1",
      R"({"type":"ots","endpoint":"http://127.0.0.1:2","instance":"local","accessId":"id2","accessKey":"********"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  Result<sync::DataSourceRegistry> registry = sync::DataSourceRegistry::Open(data_dir(), plugins_);
  ASSERT_TRUE(registry.ok());
  Result<sync::DataSource> stored = registry->Get("src1");
  ASSERT_TRUE(stored.ok());
  const readers::otsstream::OtsDataSourceConfig ots =
      readers::otsstream::OtsDataSourceConfigOf(*stored).value();
  EXPECT_EQ(ots.access_key, kAccessKey);
  EXPECT_EQ(ots.access_id, "id2");
  EXPECT_EQ(ots.endpoint, "http://127.0.0.1:2");

  ApiResponse new_key = Browser(
      "PUT", "/api/datasources/src1",
      R"({"type":"ots","endpoint":"http://127.0.0.1:2","instance":"local","accessId":"id2","accessKey":"another-key"})");
  ASSERT_EQ(new_key.status, 200);
  EXPECT_EQ(readers::otsstream::OtsDataSourceConfigOf(*registry->Get("src1"))->access_key,
            "another-key");
  EXPECT_EQ(new_key.body.find("another-key"), std::string::npos);

  ApiResponse renamed = Browser("PUT", "/api/datasources/src1", R"({"name":"src9"})");
  EXPECT_EQ(renamed.status, 400);
  EXPECT_EQ(Browser("DELETE", "/api/datasources/src1").status, 200);
  EXPECT_EQ(Browser("GET", "/api/datasources/src1").status, 404);
  EXPECT_EQ(Browser("DELETE", "/api/datasources/src1").status, 404);
}

TEST_F(ConsoleApiTest, DataSourceFormsAreValidatedWithTheSeedsRules) {
  SignIn();
  ApiResponse bad_name = Browser("POST", "/api/datasources",
                                 R"({"name":"1src","type":"odps","warehouse":"/w","project":"p"})");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_NE(bad_name.body.find("must begin with a letter"), std::string::npos) << bad_name.body;
  ApiResponse no_key =
      Browser("POST", "/api/datasources",
              R"({"name":"s","type":"ots","endpoint":"http://h","instance":"i","accessId":"a"})");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_NE(no_key.body.find("accessKey"), std::string::npos) << no_key.body;
  ApiResponse bad_type = Browser("POST", "/api/datasources", R"({"name":"s","type":"mysql"})");
  EXPECT_EQ(bad_type.status, 400);
  ApiResponse not_string = Browser("POST", "/api/datasources", R"({"name":"s","type":7})");
  EXPECT_EQ(not_string.status, 400);
  EXPECT_NE(not_string.body.find("type: expected a string"), std::string::npos);
}

TEST_F(ConsoleApiTest, TestConnectivitySaysWhichStepFailed) {
  SignIn();
  ASSERT_EQ(
      Browser(
          "POST", "/api/datasources",
          std::string(
              R"({"name":"src1","type":"ots","endpoint":"http://127.0.0.1:1","instance":"local","accessId":"id","accessKey":")") +
              kAccessKey + R"("})")
          .status,
      201);
  ApiResponse passed = Browser("POST", "/api/datasources/src1/test");
  EXPECT_EQ(passed.status, 200);
  EXPECT_EQ(nlohmann::json::parse(passed.body)["ok"], true);
  ASSERT_TRUE(tested_.has_value());
  EXPECT_EQ(readers::otsstream::OtsDataSourceConfigOf(*tested_)->access_key, kAccessKey)
      << "the tester gets the stored key";

  struct Case {
    Status failure;
    std::string step;
  };
  for (const Case& c :
       {Case{Status::Unavailable("nothing answers at x (network error: refused)"), "connect"},
        Case{Status(StatusCode::kAuthFailed, "OTSAuthFailed: Signature mismatch."), "authenticate"},
        Case{Status(StatusCode::kAuthFailed, "OTSAuthFailed: The instance is not found."),
             "instance"},
        Case{Status::Internal("OTSInternalServerError: boom"), "request"}}) {
    tester_result_ = c.failure;
    ApiResponse failed = Browser("POST", "/api/datasources/src1/test");
    EXPECT_EQ(failed.status, 200);
    nlohmann::json body = nlohmann::json::parse(failed.body);
    EXPECT_EQ(body["ok"], false);
    EXPECT_EQ(body["step"], c.step) << c.failure.message();
    EXPECT_EQ(body["message"], c.failure.message());
  }
  EXPECT_EQ(Browser("POST", "/api/datasources/nosuch/test").status, 404);
}

TEST_F(ConsoleApiTest, TestConnectivityOfAFormTestsItWithoutStoringIt) {
  SignIn();
  const std::string form =
      R"({"name":"draft","type":"ots","endpoint":"http://127.0.0.1:2","instance":"local","accessId":"id","accessKey":"draft-secret"})";
  ApiResponse passed = Browser("POST", "/api/datasources/test-connectivity", form);
  EXPECT_EQ(passed.status, 200) << passed.body;
  EXPECT_EQ(nlohmann::json::parse(passed.body)["ok"], true);
  ASSERT_TRUE(tested_.has_value());
  EXPECT_EQ(readers::otsstream::OtsDataSourceConfigOf(*tested_)->endpoint, "http://127.0.0.1:2");
  EXPECT_EQ(Browser("GET", "/api/datasources/draft").status, 404) << "a test stores nothing";

  tester_result_ =
      Status::Unavailable("nothing answers at http://127.0.0.1:2 (network error: refused)");
  nlohmann::json failed =
      nlohmann::json::parse(Browser("POST", "/api/datasources/test-connectivity", form).body);
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["step"], "connect");
  tester_result_ = std::string("reached instance local: 0 tables");

  // A form is checked as a save checks it, naming the field.
  ApiResponse no_endpoint = Browser("POST", "/api/datasources/test-connectivity",
                                    R"({"name":"draft","type":"ots","instance":"local",
                                        "accessId":"id","accessKey":"k"})");
  EXPECT_EQ(no_endpoint.status, 400);
  EXPECT_NE(no_endpoint.body.find("endpoint"), std::string::npos) << no_endpoint.body;

  // Editing a stored source: the secret left empty is the stored one, as a save keeps it.
  ASSERT_EQ(Browser("POST", "/api/datasources",
                    std::string(R"({"name":"src1","type":"ots","endpoint":"http://127.0.0.1:1",)"
                                R"("instance":"local","accessId":"id","accessKey":")") +
                        kAccessKey + R"("})")
                .status,
            201);
  tested_.reset();
  ASSERT_EQ(Browser("POST", "/api/datasources/test-connectivity",
                    R"({"name":"src1","type":"ots","endpoint":"http://127.0.0.1:3",)"
                    R"("instance":"local","accessId":"id"})")
                .status,
            200);
  ASSERT_TRUE(tested_.has_value());
  EXPECT_EQ(readers::otsstream::OtsDataSourceConfigOf(*tested_)->access_key, kAccessKey);
  EXPECT_EQ(readers::otsstream::OtsDataSourceConfigOf(*tested_)->endpoint, "http://127.0.0.1:3");
  EXPECT_NE(Browser("GET", "/api/datasources/src1").body.find("127.0.0.1:1"), std::string::npos)
      << "the stored source is unchanged";
}

TEST_F(ConsoleApiTest, ParamsPreviewResolvesTheNextInstances) {
  SignIn();
  ApiResponse preview = Browser("POST", "/api/params/preview", R"({
      "parameters": "startTime=$[yyyymmddhh24miss-10/24/60] pt=${bdp.system.bizdate}",
      "at": "2025-11-01 02:30:45", "count": 3, "intervalMinutes": 60})");
  ASSERT_EQ(preview.status, 200) << preview.body;
  nlohmann::json body = nlohmann::json::parse(preview.body);
  EXPECT_EQ(body["zone"], "Asia/Shanghai");
  ASSERT_EQ(body["instances"].size(), 3u);
  EXPECT_EQ(body["instances"][0]["schedulingTime"], "2025-11-01 02:30:45");
  EXPECT_EQ(body["instances"][0]["businessDate"], "20251031");
  EXPECT_EQ(body["instances"][0]["values"][0]["name"], "startTime");
  EXPECT_EQ(body["instances"][0]["values"][0]["value"], "20251101022045");
  EXPECT_EQ(body["instances"][0]["values"][1]["value"], "20251031");
  EXPECT_EQ(body["instances"][2]["values"][0]["value"], "20251101042045");

  ApiResponse backfill = Browser("POST", "/api/params/preview", R"({
      "parameters": "pt=${bdp.system.bizdate} at=$[yyyymmdd]", "at": "2025-01-01 00:00:00",
      "backfillDate": "20250228", "count": 2})");
  ASSERT_EQ(backfill.status, 200) << backfill.body;
  nlohmann::json days = nlohmann::json::parse(backfill.body)["instances"];
  EXPECT_EQ(days[0]["values"][0]["value"], "20250228");
  EXPECT_EQ(days[0]["values"][1]["value"], "20250301");
  EXPECT_EQ(days[1]["values"][0]["value"], "20250301");

  ApiResponse bad =
      Browser("POST", "/api/params/preview",
              R"({"parameters": "a=$[yyyymmdd-1] b=$[nonsense]", "at": "2025-11-01 00:00:00"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("parameter b"), std::string::npos) << bad.body;
  ApiResponse no_interval =
      Browser("POST", "/api/params/preview", R"({"parameters": "a=$[yyyymmdd]", "count": 2})");
  EXPECT_EQ(no_interval.status, 400);
  EXPECT_NE(no_interval.body.find("intervalMinutes"), std::string::npos);
  ApiResponse bad_at = Browser("POST", "/api/params/preview",
                               R"({"parameters": "a=$[yyyymmdd]", "at": "tomorrow"})");
  EXPECT_EQ(bad_at.status, 400);
  EXPECT_NE(bad_at.body.find("at:"), std::string::npos) << bad_at.body;
}

}  // namespace
}  // namespace otsync::console
