#include "console/api_router.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

ApiHandler Named(std::string name) {
  return [name](const ApiRequest&) { return ApiResponse::Json(200, name); };
}

TEST(ApiRouterTest, MatchesLiteralAndParameterSegments) {
  ApiRouter router;
  router.Add("GET", "/api/datasources", Access::kSignedIn, Named("list"));
  router.Add("GET", "/api/datasources/{name}", Access::kSignedIn, Named("get"));
  router.Add("POST", "/api/datasources/{name}/test", Access::kSignedIn, Named("test"));
  router.Add("GET", "/api/instances/{id}/log/{part}", Access::kSignedIn, Named("log"));

  ApiRouter::Lookup list = router.Find("GET", "/api/datasources");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->handler(ApiRequest{}).body, "list");

  ApiRouter::Lookup get = router.Find("GET", "/api/datasources/my%20source");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->handler(ApiRequest{}).body, "get");
  EXPECT_EQ(get.path_params.at("name"), "my source");

  ApiRouter::Lookup log = router.Find("GET", "/api/instances/42/log/tail");
  ASSERT_NE(log.route, nullptr);
  EXPECT_EQ(log.path_params.at("id"), "42");
  EXPECT_EQ(log.path_params.at("part"), "tail");

  ApiRouter::Lookup head = router.Find("HEAD", "/api/datasources");
  EXPECT_NE(head.route, nullptr) << "GET routes answer HEAD";
}

TEST(ApiRouterTest, TellsNotFoundFromMethodNotAllowed) {
  ApiRouter router;
  router.Add("GET", "/api/datasources/{name}", Access::kSignedIn, Named("get"));
  router.Add("PUT", "/api/datasources/{name}", Access::kSignedIn, Named("put"));
  router.Add("DELETE", "/api/datasources/{name}", Access::kSignedIn, Named("delete"));

  ApiRouter::Lookup post = router.Find("POST", "/api/datasources/a");
  EXPECT_EQ(post.route, nullptr);
  EXPECT_EQ(post.allowed_methods, (std::vector<std::string>{"GET", "PUT", "DELETE"}));

  for (const char* path : {"/api/datasources", "/api/datasources/", "/api/datasources/a/b",
                           "/api/datasources/%zz", "api/datasources/a", ""}) {
    ApiRouter::Lookup missing = router.Find("GET", path);
    EXPECT_EQ(missing.route, nullptr) << path;
    EXPECT_TRUE(missing.allowed_methods.empty()) << path;
  }
}

TEST(ApiRouterTest, PercentDecoding) {
  std::string decoded;
  EXPECT_TRUE(PercentDecode("a%2Fb%41+", &decoded));
  EXPECT_EQ(decoded, "a/bA+");
  EXPECT_FALSE(PercentDecode("%4", &decoded));
  EXPECT_FALSE(PercentDecode("%", &decoded));
  EXPECT_FALSE(PercentDecode("%g0", &decoded));
}

}  // namespace
}  // namespace otsync::console
