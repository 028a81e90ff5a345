#include "console/request_origin.h"

#include <gtest/gtest.h>

namespace otsync::console {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  Result<ListenAddress> v4 = ParseListenAddress("127.0.0.1:8900");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8900);
  Result<ListenAddress> v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad :
       {"", "127.0.0.1", ":8900", "127.0.0.1:", "127.0.0.1:65536", "::1:80", "host:80x", "[::1"}) {
    EXPECT_FALSE(ParseListenAddress(bad).ok()) << bad;
  }
}

TEST(ListenAddressTest, KnowsLoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.evil.com",
                           "localhost.evil.com", "127.0.0.256", "::"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(RequestOriginGuardTest, AcceptsLoopbackNamesOfTheBoundPort) {
  RequestOriginGuard guard({"127.0.0.1", 0}, 8901, {});
  for (const char* host : {"127.0.0.1:8901", "localhost:8901", "LOCALHOST:8901", "[::1]:8901"}) {
    EXPECT_TRUE(guard.Check(host, std::nullopt).ok()) << host;
  }
  EXPECT_TRUE(guard.Check("127.0.0.1:8901", "http://localhost:8901").ok());
}

TEST(RequestOriginGuardTest, RefusesForeignHostsAsADnsRebindingGuard) {
  RequestOriginGuard guard({"127.0.0.1", 8901}, 8901, {});
  for (const char* host : {"evil.example:8901", "127.0.0.1:8902", "127.0.0.1", "", "a:b:c"}) {
    Status checked = guard.Check(host, std::nullopt);
    EXPECT_EQ(checked.code(), StatusCode::kAuthFailed) << host;
    EXPECT_NE(checked.message().find("Host"), std::string::npos);
  }
}

TEST(RequestOriginGuardTest, RefusesForeignOrigins) {
  RequestOriginGuard guard({"localhost", 8901}, 8901, {});
  for (const char* origin :
       {"http://evil.example", "http://evil.example:8901", "null", "", "https://localhost:8901",
        "http://localhost:8902", "http://localhost:8901.evil.example"}) {
    Status checked = guard.Check("localhost:8901", std::string_view(origin));
    EXPECT_EQ(checked.code(), StatusCode::kAuthFailed) << origin;
    EXPECT_NE(checked.message().find("Origin"), std::string::npos);
  }
}

TEST(RequestOriginGuardTest, AllowedExtraNamesAndPort80) {
  RequestOriginGuard guard({"0.0.0.0", 80}, 80, {"console.lan"});
  EXPECT_TRUE(guard.Check("console.lan", "http://console.lan").ok());
  EXPECT_TRUE(guard.Check("console.lan:80", std::nullopt).ok());
  EXPECT_TRUE(guard.Check("127.0.0.1", std::nullopt).ok());
  EXPECT_FALSE(guard.Check("0.0.0.0", std::nullopt).ok());
  EXPECT_FALSE(guard.Check("other.lan", std::nullopt).ok());
}

}  // namespace
}  // namespace otsync::console
