#include "client/http_response_head.h"

#include <gtest/gtest.h>

namespace otsync::client {
namespace {

TEST(FindResponseHeadEndTest, FindsTheEmptyLineWithEitherLineEnd) {
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody"), 25u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\nA: b\n\nbody"), 22u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\r\n\r\n"), 19u);
}

TEST(FindResponseHeadEndTest, ANotYetCompleteHeadIsZero) {
  EXPECT_EQ(FindResponseHeadEnd(""), 0u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK"), 0u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\r\n"), 0u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\r\nA: b\r\n\r"), 0u);
  EXPECT_EQ(FindResponseHeadEnd("HTTP/1.1 200 OK\r\nA: b\r\n"), 0u);
}

TEST(ParseResponseHeadTest, ReadsStatusFramingAndTheOtsHeaders) {
  Result<HttpResponseHead> head = ParseResponseHead(
      "HTTP/1.1 200 OK\r\ncontent-length: 42\r\nX-OTS-ContentMD5:  abc== \r\n"
      "x-ots-requestid: r-1\r\nX-Other: ignored\r\n\r\n");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  ASSERT_TRUE(head->content_length.has_value());
  EXPECT_EQ(*head->content_length, 42u);
  EXPECT_FALSE(head->chunked);
  EXPECT_FALSE(head->connection_close);
  EXPECT_EQ(head->content_md5, "abc==");
  EXPECT_EQ(head->request_id, "r-1");
}

TEST(ParseResponseHeadTest, DecidesWhetherTheConnectionSurvives) {
  auto closes = [](std::string_view head) {
    Result<HttpResponseHead> parsed = ParseResponseHead(head);
    EXPECT_TRUE(parsed.ok()) << head;
    return parsed.ok() && parsed->connection_close;
  };
  EXPECT_FALSE(closes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(closes("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(closes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(closes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"));
  // Without a length the body runs to the end of the connection.
  EXPECT_TRUE(closes("HTTP/1.1 200 OK\r\n\r\n"));
  // ... except where a reply has no body.
  EXPECT_FALSE(closes("HTTP/1.1 204 No Content\r\n\r\n"));
  // Both framings at once: chunked wins, and the connection is not trusted again.
  EXPECT_TRUE(closes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
}

TEST(ParseResponseHeadTest, ChunkedOverridesContentLength) {
  Result<HttpResponseHead> head = ParseResponseHead(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(head->chunked);
  EXPECT_FALSE(head->content_length.has_value());
}

TEST(ParseResponseHeadTest, RepeatedEqualLengthsAreOneLength) {
  Result<HttpResponseHead> head =
      ParseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head->content_length, 7u);
}

TEST(ParseResponseHeadTest, MalformedHeadsAreCorruptionAndQuoteNothing) {
  const char* const kBad[] = {
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 099 OK\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno-colon-secret\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty-name-secret\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded-secret\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 12secret\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n",
  };
  for (const char* head : kBad) {
    Result<HttpResponseHead> parsed = ParseResponseHead(head);
    ASSERT_FALSE(parsed.ok()) << head;
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << head;
    EXPECT_EQ(parsed.status().message().find("secret"), std::string::npos)
        << parsed.status().message();
  }
}

TEST(ParseChunkSizeLineTest, ReadsHexSizesAndSkipsExtensions) {
  Result<std::optional<ChunkSizeLine>> line = ParseChunkSizeLine("1a3F;name=value\r\ndata");
  ASSERT_TRUE(line.ok());
  ASSERT_TRUE(line->has_value());
  EXPECT_EQ((*line)->size, 0x1a3fu);
  EXPECT_EQ((*line)->line_length, 17u);

  line = ParseChunkSizeLine("0\n");
  ASSERT_TRUE(line.ok() && line->has_value());
  EXPECT_EQ((*line)->size, 0u);
  EXPECT_EQ((*line)->line_length, 2u);
}

TEST(ParseChunkSizeLineTest, WaitsForTheLineEndAndRefusesGarbage) {
  Result<std::optional<ChunkSizeLine>> line = ParseChunkSizeLine("1a3f");
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(line->has_value());

  for (std::string_view bad : {"\r\n", "xyz\r\n", "-1\r\n", "1000000000001\r\n"}) {
    EXPECT_EQ(ParseChunkSizeLine(bad).status().code(), StatusCode::kCorruption) << bad;
  }
  EXPECT_EQ(ParseChunkSizeLine(std::string(5000, '1')).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace otsync::client
