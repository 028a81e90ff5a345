#include "wire/endpoint.h"

#include <gtest/gtest.h>

namespace otsync::wire {
namespace {

TEST(EndpointTest, SplitsSchemeHostAndPortAndDropsThePath) {
  Result<Endpoint> local = ParseEndpoint("http://127.0.0.1:8800/some/path?x=1");
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->scheme, "http");
  EXPECT_EQ(local->authority, "127.0.0.1:8800");
  EXPECT_EQ(local->host, "127.0.0.1");
  EXPECT_EQ(local->port, 8800);
  EXPECT_EQ(local->Origin(), "http://127.0.0.1:8800");

  Result<Endpoint> service = ParseEndpoint("https://inst.cn-hangzhou.ots.aliyuncs.com");
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->scheme, "https");
  EXPECT_EQ(service->host, "inst.cn-hangzhou.ots.aliyuncs.com");
  EXPECT_FALSE(service->port.has_value());
  EXPECT_EQ(service->Origin(), "https://inst.cn-hangzhou.ots.aliyuncs.com");

  Result<Endpoint> six = ParseEndpoint("http://[::1]:9000#fragment");
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(six->authority, "[::1]:9000");
  EXPECT_EQ(six->host, "::1");
  EXPECT_EQ(six->port, 9000);
}

TEST(EndpointTest, RefusesWhatIsNoEndpointNamingWhy) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"127.0.0.1:8800", "endpoint must start with http:// or https://"},
      {"ftp://host", "endpoint must start with http:// or https://"},
      {"http://", "endpoint has no host"},
      {"http://:80", "endpoint has no host"},
      {"http:///path", "endpoint has no host"},
      {"http://[::1", "endpoint has an unclosed [ in its host"},
      {"http://[::1]x", "endpoint has text after its host's ]"},
      {"http://a:0", "endpoint's port is not a number from 1 to 65535"},
      {"http://a:65536", "endpoint's port is not a number from 1 to 65535"},
      {"http://a:8x", "endpoint's port is not a number from 1 to 65535"},
      {"http://a:99999999999", "endpoint's port is not a number from 1 to 65535"},
  };
  for (const auto& bad : cases) {
    Result<Endpoint> parsed = ParseEndpoint(bad.text);
    ASSERT_FALSE(parsed.ok()) << bad.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad.text;
    EXPECT_EQ(parsed.status().message(), bad.message) << bad.text;
  }
}

TEST(EndpointTest, LoopbackIsThisMachineByNameOrAddress) {
  for (const char* local : {"http://127.0.0.1:8800", "http://localhost:9001/", "http://127.1.2.3",
                            "http://[::1]:8800"}) {
    EXPECT_TRUE(IsLoopbackEndpoint(local)) << local;
  }
  for (const char* remote : {"https://inst.cn-hangzhou.ots.aliyuncs.com", "http://10.0.0.1:8800",
                             "http://localhost.example.com", "127.0.0.1:8800", "http://[::2]"}) {
    EXPECT_FALSE(IsLoopbackEndpoint(remote)) << remote;
  }
}

}  // namespace
}  // namespace otsync::wire
