#include "server/http_request_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace otsync::server {
namespace {

using Progress = HttpRequestReader::Progress;

HttpRequestLimits SmallLimits() {
  HttpRequestLimits limits;
  limits.max_head_bytes = 256;
  limits.max_body_bytes = 32;
  return limits;
}

// Feeds `bytes` to `reader` `piece` bytes at a time, reading past the head, until the request is
// complete or refused; what is left over stays in `*rest`.
Progress Feed(HttpRequestReader& reader, const std::string& bytes, size_t piece,
              std::string* rest) {
  std::string input;
  Progress progress = Progress::kNeedMore;
  for (size_t at = 0; at <= bytes.size(); at += piece) {
    input += bytes.substr(at, piece);
    do {
      progress = reader.Read(&input);
    } while (progress == Progress::kHeadRead);
    if (progress != Progress::kNeedMore) break;
  }
  *rest = input;
  return progress;
}

TEST(HttpRequestReaderTest, AContentLengthRequestLeavesThePipelinedNextOneInTheInput) {
  const std::string first =
      "POST /PutRow?x=1 HTTP/1.1\r\nHost: h\r\nX-OTS-Date:  2026 \r\nContent-Length: "
      "5\r\n\r\nhello";
  const std::string second = "POST /GetRow HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
  HttpRequestReader reader(SmallLimits());
  std::string input = first + second;
  ASSERT_EQ(reader.Read(&input), Progress::kHeadRead);
  EXPECT_TRUE(reader.started());
  ASSERT_EQ(reader.Read(&input), Progress::kComplete);
  const HttpRequest& request = reader.request();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/PutRow");
  EXPECT_EQ(request.body, "hello");
  EXPECT_TRUE(request.keep_alive);
  ASSERT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(request.headers[1].first, "x-ots-date");
  EXPECT_EQ(request.headers[1].second, "2026");
  EXPECT_EQ(input, second);

  reader.StartNextRequest();
  EXPECT_FALSE(reader.started());
  ASSERT_EQ(reader.Read(&input), Progress::kHeadRead);
  ASSERT_EQ(reader.Read(&input), Progress::kComplete);
  EXPECT_EQ(reader.request().path, "/GetRow");
  EXPECT_EQ(reader.request().body, "");
  EXPECT_TRUE(input.empty());
}

TEST(HttpRequestReaderTest, EveryWayOfCuttingTheBytesReadsTheSameRequest) {
  const std::string chunked =
      "\r\nPOST http://otsd:8800/BatchWriteRow HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "4;name=value\r\nabcd\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nNEXT";
  for (size_t piece = 1; piece <= chunked.size(); ++piece) {
    HttpRequestReader reader(SmallLimits());
    std::string rest;
    ASSERT_EQ(Feed(reader, chunked, piece, &rest), Progress::kComplete) << "piece " << piece;
    EXPECT_EQ(reader.request().path, "/BatchWriteRow") << "piece " << piece;
    EXPECT_EQ(reader.request().body, "abcd0123456789") << "piece " << piece;
    // Reading stops at the request's end: what was fed past it stays, a prefix of the next.
    EXPECT_EQ(std::string("NEXT").compare(0, rest.size(), rest), 0) << "piece " << piece;
  }
}

TEST(HttpRequestReaderTest, EmptyLinesBetweenRequestsDoNotStartOne) {
  HttpRequestReader reader(SmallLimits());
  std::string input = "\r\n\r\n";
  EXPECT_EQ(reader.Read(&input), Progress::kNeedMore);
  EXPECT_FALSE(reader.started());
  input += "GET";
  EXPECT_EQ(reader.Read(&input), Progress::kNeedMore);
  EXPECT_TRUE(reader.started());
}

TEST(HttpRequestReaderTest, ConnectionPersistenceFollowsTheVersionAndTheConnectionField) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"POST / HTTP/1.1\r\n\r\n", true},
      {"POST / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n", false},
      {"POST / HTTP/1.0\r\n\r\n", false},
      {"POST / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
  };
  for (const Case& c : cases) {
    HttpRequestReader reader(SmallLimits());
    std::string rest;
    ASSERT_EQ(Feed(reader, c.head, c.head.size(), &rest), Progress::kComplete) << c.head;
    EXPECT_EQ(reader.request().keep_alive, c.keep_alive) << c.head;
  }
}

TEST(HttpRequestReaderTest, AClientExpectingContinueGetsTheHeadBeforeItsBody) {
  HttpRequestReader reader(SmallLimits());
  std::string input = "POST /PutRow HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  ASSERT_EQ(reader.Read(&input), Progress::kHeadRead);
  EXPECT_TRUE(reader.request().expects_continue);
  EXPECT_EQ(reader.Read(&input), Progress::kNeedMore);
  input += "abc";
  EXPECT_EQ(reader.Read(&input), Progress::kComplete);
  EXPECT_EQ(reader.request().body, "abc");
}

TEST(HttpRequestReaderTest, RefusalsNameTheirStatus) {
  struct Case {
    std::string bytes;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST /PutRow\r\n\r\n", 400},
      {"POST  /PutRow HTTP/1.1\r\n\r\n", 400},
      {"PO(ST /PutRow HTTP/1.1\r\n\r\n", 400},
      {"POST PutRow HTTP/1.1\r\n\r\n", 400},
      {"POST /PutRow HTTP/2.0\r\n\r\n", 505},
      {"POST /PutRow HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nNo colon\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nName : v\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nA: b\x01"
       "c\r\n\r\n",
       400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"POST /PutRow HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nContent-Length: 33\r\n\r\n", 413},
      {"POST /PutRow HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n21\r\n", 413},
      {"POST /PutRow HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400},
      {"POST /PutRow HTTP/1.1\r\nA: " + std::string(300, 'a') + "\r\n\r\n", 431},
      {"POST /PutRow HTTP/1.1\r\nA: " + std::string(300, 'a'), 431},
  };
  for (const Case& c : cases) {
    HttpRequestReader reader(SmallLimits());
    std::string rest;
    EXPECT_EQ(Feed(reader, c.bytes, c.bytes.size(), &rest), Progress::kFailed) << c.bytes;
    EXPECT_EQ(reader.failure_status(), c.status) << c.bytes;
    EXPECT_FALSE(reader.failure_reason().empty()) << c.bytes;
  }
}

TEST(HttpRequestReaderTest, EqualRepeatedContentLengthsAreOneLength) {
  HttpRequestReader reader(SmallLimits());
  std::string rest;
  const std::string bytes =
      "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_EQ(Feed(reader, bytes, bytes.size(), &rest), Progress::kComplete);
  EXPECT_EQ(reader.request().body, "ok");
}

}  // namespace
}  // namespace otsync::server
