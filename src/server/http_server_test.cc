// The real HTTP server on 127.0.0.1 port 0 with a real store in a temporary directory, driven
// by cpp-httplib's client with requests signed as the SDKs sign them.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/proto_conversion.h"
#include "server/read_ahead.h"
#include "server/testing/in_process_otsd.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

// A TCP connection to the server that sends exactly the bytes given: what an HTTP client library
// would not send (slow heads, pipelined and chunked requests, an expectation, garbage).
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // What arrives until `replies` whole replies (head and Content-Length body) are there, the
  // server closes, or `timeout` passes.
  std::string Receive(size_t replies, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (CompleteReplies() < replies && !closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[16384];
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0) {
        closed_ = true;
        break;
      }
      received_.append(chunk, static_cast<size_t>(got));
    }
    return received_;
  }

  // Whether the server closed the connection within `timeout` (bytes sent meanwhile are kept).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    Receive(SIZE_MAX, timeout);
    return closed_;
  }

 private:
  size_t CompleteReplies() const {
    size_t count = 0;
    size_t at = 0;
    for (;;) {
      const size_t head_end = received_.find("\r\n\r\n", at);
      if (head_end == std::string::npos) return count;
      std::string head = received_.substr(at, head_end - at);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t length = 0;
      const size_t field = head.find("content-length:");
      if (field != std::string::npos) length = std::stoul(head.substr(field + 15));
      if (received_.size() < head_end + 4 + length) return count;
      at = head_end + 4 + length;
      ++count;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

// A signed request's bytes as a client sends them, with `extra` header lines (each ending in
// CRLF) and the body framed by Content-Length unless `extra` frames it.
std::string RequestBytes(const std::string& api, const std::string& body, const std::string& extra,
                         const std::string& sent_body) {
  std::string bytes = "POST /" + api + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : SignedRequestHeaders(api, body)) {
    bytes += name + ": " + value + "\r\n";
  }
  if (extra.find("Transfer-Encoding") == std::string::npos) {
    bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return bytes + extra + "\r\n" + sent_body;
}

std::string DescribeTableBody(const std::string& table) {
  proto::DescribeTableRequest request;
  request.set_table_name(table);
  return request.SerializeAsString();
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<InProcessOtsd>> otsd = InProcessOtsd::Start();
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(otsd).value();
  }

  PostAnswer Call(const std::string& api, const google::protobuf::Message& request) {
    return otsd_->Post(api, request.SerializeAsString());
  }

  static proto::Error ErrorOf(const PostAnswer& answer) {
    proto::Error error;
    EXPECT_TRUE(error.ParseFromString(answer.body)) << answer.status;
    return error;
  }

  // The response signature checks out against the caller's secret (as Java and Python check).
  static void ExpectSignedResponse(const std::string& api, const PostAnswer& answer) {
    wire::HeaderMap x_ots;
    std::string authorization;
    for (const auto& [name, value] : answer.headers) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("x-ots-", 0) == 0) x_ots[lower] = value;
      if (lower == "authorization") authorization = value;
    }
    EXPECT_EQ(x_ots.count("x-ots-requestid"), 1u);
    EXPECT_EQ(x_ots["x-ots-contenttype"], "protocol buffer");
    EXPECT_EQ(x_ots["x-ots-contentmd5"], wire::ContentMd5(answer.body));
    EXPECT_EQ(authorization, wire::SignResponse(api, x_ots, kDevelopmentKeyId, kDevelopmentSecret));
  }

  void CreateTable(const std::string& name) {
    PostAnswer answer = Call("CreateTable", StringKeyTableRequest(name));
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    ExpectSignedResponse("CreateTable", answer);
  }

  static wire::Row RowOf(const std::string& key, const std::string& value) {
    wire::Row row;
    row.primary_key = {{"pk", wire::Value::String(key)}};
    if (!value.empty()) row.cells = {{"c", wire::Value::String(value), std::nullopt, {}}};
    return row;
  }

  std::unique_ptr<InProcessOtsd> otsd_;
};

TEST_F(HttpServerTest, CreatePutGetRoundTrip) {
  CreateTable("t");

  proto::PutRowRequest put;
  put.set_table_name("t");
  put.set_row(wire::EncodeRow(RowOf("a", "v")));
  put.mutable_condition()->set_row_existence(proto::IGNORE);
  PostAnswer put_answer = Call("PutRow", put);
  ASSERT_EQ(put_answer.status, 200) << ErrorOf(put_answer).message();
  ExpectSignedResponse("PutRow", put_answer);
  proto::PutRowResponse put_response;
  ASSERT_TRUE(put_response.ParseFromString(put_answer.body));
  EXPECT_TRUE(put_response.consumed().capacity_unit().has_read());
  EXPECT_TRUE(put_response.consumed().capacity_unit().has_write());

  proto::GetRowRequest get;
  get.set_table_name("t");
  get.set_primary_key(wire::EncodePrimaryKey(RowOf("a", "").primary_key));
  get.set_max_versions(1);
  PostAnswer get_answer = Call("GetRow", get);
  ASSERT_EQ(get_answer.status, 200) << ErrorOf(get_answer).message();
  proto::GetRowResponse get_response;
  ASSERT_TRUE(get_response.ParseFromString(get_answer.body));
  Result<wire::Row> row = wire::DecodeRow(get_response.row());
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_EQ(row->cells.size(), 1u);
  EXPECT_EQ(row->cells[0].name, "c");
  EXPECT_EQ(row->cells[0].value, wire::Value::String("v"));
  EXPECT_TRUE(row->cells[0].timestamp.has_value());

  get.set_primary_key(wire::EncodePrimaryKey(RowOf("missing", "").primary_key));
  PostAnswer missing_answer = Call("GetRow", get);
  ASSERT_EQ(missing_answer.status, 200);
  proto::GetRowResponse missing_response;
  ASSERT_TRUE(missing_response.ParseFromString(missing_answer.body));
  EXPECT_TRUE(missing_response.has_row());
  EXPECT_TRUE(missing_response.row().empty());

  proto::DescribeTableRequest describe;
  describe.set_table_name("t");
  PostAnswer describe_answer = Call("DescribeTable", describe);
  ASSERT_EQ(describe_answer.status, 200) << ErrorOf(describe_answer).message();
  proto::DescribeTableResponse describe_response;
  ASSERT_TRUE(describe_response.ParseFromString(describe_answer.body));
  EXPECT_EQ(describe_response.table_status(), proto::ACTIVE);
  EXPECT_TRUE(describe_response.has_stream_details());
  EXPECT_EQ(describe_response.table_meta().primary_key(0).name(), "pk");
}

TEST_F(HttpServerTest, BatchWriteRowWithoutConditionMeansIgnore) {
  CreateTable("t");
  proto::BatchWriteRowRequest request;
  auto* table = request.add_tables();
  table->set_table_name("t");
  for (const char* key : {"a", "b"}) {
    auto* row = table->add_rows();
    row->set_type(proto::PUT);
    row->set_row_change(wire::EncodeRow(RowOf(key, "v")));
  }
  PostAnswer answer = otsd_->Post("BatchWriteRow", request.SerializePartialAsString());
  ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
  proto::BatchWriteRowResponse response;
  ASSERT_TRUE(response.ParseFromString(answer.body));
  ASSERT_EQ(response.tables_size(), 1);
  ASSERT_EQ(response.tables(0).rows_size(), 2);
  for (const auto& row : response.tables(0).rows()) {
    EXPECT_TRUE(row.is_ok());
    EXPECT_TRUE(row.consumed().capacity_unit().has_read());
    EXPECT_TRUE(row.consumed().capacity_unit().has_write());
  }
}

TEST_F(HttpServerTest, BatchWriteRowRejectsTheSameRowTwice) {
  CreateTable("t");
  proto::BatchWriteRowRequest request;
  auto* table = request.add_tables();
  table->set_table_name("t");
  for (const char* key : {"a", "b", "a"}) {
    auto* row = table->add_rows();
    row->set_type(proto::PUT);
    row->set_row_change(wire::EncodeRow(RowOf(key, "v")));
    row->mutable_condition()->set_row_existence(proto::IGNORE);
  }
  PostAnswer answer = Call("BatchWriteRow", request);
  EXPECT_EQ(answer.status, 400);
  proto::Error error = ErrorOf(answer);
  EXPECT_EQ(error.code(), "OTSParameterInvalid");
  EXPECT_NE(error.message().find("BatchWriteRowRequest.tables[0].rows[2]"), std::string::npos);
}

TEST_F(HttpServerTest, GetRangePagesWithAPrimaryKeyOnlyNextStart) {
  CreateTable("t");
  for (const char* key : {"a", "b", "c"}) {
    proto::PutRowRequest put;
    put.set_table_name("t");
    put.set_row(wire::EncodeRow(RowOf(key, "v")));
    put.mutable_condition()->set_row_existence(proto::IGNORE);
    ASSERT_EQ(Call("PutRow", put).status, 200);
  }
  proto::GetRangeRequest range;
  range.set_table_name("t");
  range.set_direction(proto::FORWARD);
  range.set_max_versions(1);
  range.set_limit(2);
  range.set_inclusive_start_primary_key(wire::EncodePrimaryKey({{"pk", wire::Value::InfMin()}}));
  range.set_exclusive_end_primary_key(wire::EncodePrimaryKey({{"pk", wire::Value::InfMax()}}));
  PostAnswer first = Call("GetRange", range);
  ASSERT_EQ(first.status, 200) << ErrorOf(first).message();
  proto::GetRangeResponse first_page;
  ASSERT_TRUE(first_page.ParseFromString(first.body));
  Result<std::vector<wire::Row>> rows = wire::DecodeRows(first_page.rows());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 2u);
  Result<wire::Row> next = wire::DecodeRow(first_page.next_start_primary_key());
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->cells.empty());
  EXPECT_EQ(next->primary_key, RowOf("c", "").primary_key);

  range.set_inclusive_start_primary_key(first_page.next_start_primary_key());
  PostAnswer second = Call("GetRange", range);
  ASSERT_EQ(second.status, 200);
  proto::GetRangeResponse second_page;
  ASSERT_TRUE(second_page.ParseFromString(second.body));
  EXPECT_TRUE(second_page.next_start_primary_key().empty());

  range.set_limit(0);
  PostAnswer bad_limit = Call("GetRange", range);
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_NE(ErrorOf(bad_limit).message().find("limit"), std::string::npos);
}

TEST_F(HttpServerTest, BatchGetRowReportsMissingRowsAsEmpty) {
  CreateTable("t");
  proto::PutRowRequest put;
  put.set_table_name("t");
  put.set_row(wire::EncodeRow(RowOf("a", "v")));
  put.mutable_condition()->set_row_existence(proto::IGNORE);
  ASSERT_EQ(Call("PutRow", put).status, 200);

  proto::BatchGetRowRequest request;
  auto* table = request.add_tables();
  table->set_table_name("t");
  table->set_max_versions(1);
  table->add_primary_key(wire::EncodePrimaryKey(RowOf("a", "").primary_key));
  table->add_primary_key(wire::EncodePrimaryKey(RowOf("zz", "").primary_key));
  PostAnswer answer = Call("BatchGetRow", request);
  ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
  proto::BatchGetRowResponse response;
  ASSERT_TRUE(response.ParseFromString(answer.body));
  ASSERT_EQ(response.tables(0).rows_size(), 2);
  EXPECT_TRUE(response.tables(0).rows(0).is_ok());
  EXPECT_FALSE(response.tables(0).rows(0).row().empty());
  EXPECT_TRUE(response.tables(0).rows(1).is_ok());
  EXPECT_TRUE(response.tables(0).rows(1).row().empty());
}

TEST_F(HttpServerTest, UpdateTableAcceptsEmptyOptionsAndSplitPointsCoverTheTable) {
  CreateTable("t");
  proto::UpdateTableRequest update;
  update.set_table_name("t");
  update.mutable_table_options();
  PostAnswer updated = Call("UpdateTable", update);
  ASSERT_EQ(updated.status, 200) << ErrorOf(updated).message();
  proto::UpdateTableResponse update_response;
  ASSERT_TRUE(update_response.ParseFromString(updated.body));
  EXPECT_TRUE(update_response.has_stream_details());
  EXPECT_TRUE(update_response.table_options().has_deviation_cell_version_in_sec());

  proto::ComputeSplitPointsBySizeRequest split;
  split.set_table_name("t");
  split.set_split_size(1);
  PostAnswer answer = Call("ComputeSplitPointsBySize", split);
  ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
  proto::ComputeSplitPointsBySizeResponse response;
  ASSERT_TRUE(response.ParseFromString(answer.body));
  ASSERT_EQ(response.schema_size(), 1);
  EXPECT_EQ(response.schema(0).name(), "pk");
  ASSERT_EQ(response.locations_size(), 1);
  EXPECT_EQ(response.locations(0).repeat(), response.split_points_size() + 1);
}

TEST_F(HttpServerTest, WrongPrimaryKeyAndBadPlainBufferAre400) {
  CreateTable("t");
  proto::GetRowRequest get;
  get.set_table_name("t");
  get.set_max_versions(1);
  get.set_primary_key(wire::EncodePrimaryKey({{"pk", wire::Value::Integer(1)}}));
  PostAnswer wrong_type = Call("GetRow", get);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(ErrorOf(wrong_type).code(), "OTSInvalidPK");

  std::string corrupted = wire::EncodePrimaryKey(RowOf("a", "").primary_key);
  corrupted[corrupted.size() - 1] ^= 0x5a;
  get.set_primary_key(corrupted);
  PostAnswer bad_checksum = Call("GetRow", get);
  EXPECT_EQ(bad_checksum.status, 400);
  proto::Error error = ErrorOf(bad_checksum);
  EXPECT_EQ(error.code(), "OTSParameterInvalid");
  EXPECT_NE(error.message().find("GetRowRequest.primary_key"), std::string::npos);
}

TEST_F(HttpServerTest, ServesConcurrentClients) {
  CreateTable("t");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", otsd_->port());
      client.set_keep_alive(true);
      for (int i = 0; i < 25; ++i) {
        proto::PutRowRequest put;
        put.set_table_name("t");
        put.set_row(wire::EncodeRow(RowOf(std::to_string(t) + "-" + std::to_string(i), "v")));
        put.mutable_condition()->set_row_existence(proto::IGNORE);
        const std::string body = put.SerializeAsString();
        auto result = PostSigned(client, "PutRow", body);
        if (!result || result->status != 200) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(HttpServerTest, NonPostMethodIs405) {
  auto result = otsd_->client().Get("/ListTable");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  proto::Error error;
  ASSERT_TRUE(error.ParseFromString(result->body));
  EXPECT_EQ(error.code(), "OTSMethodNotAllowed");
  EXPECT_TRUE(result->has_header("x-ots-requestid"));
}

TEST_F(HttpServerTest, UnknownApiIsUnsupportedOperation) {
  PostAnswer answer = otsd_->Post("NoSuchApi", "");
  EXPECT_EQ(answer.status, 400);
  proto::Error error = ErrorOf(answer);
  EXPECT_EQ(error.code(), "OTSParameterInvalid");
  EXPECT_EQ(error.message(), "Unsupported operation: NoSuchApi.");
}

TEST_F(HttpServerTest, BadSignatureIs403WithoutAuthorization) {
  PostAnswer answer = otsd_->Post("ListTable", "", kDevelopmentKeyId, "not-the-secret");
  EXPECT_EQ(answer.status, 403);
  proto::Error error = ErrorOf(answer);
  EXPECT_EQ(error.code(), "OTSAuthFailed");
  EXPECT_EQ(error.message(), "Signature mismatch.");
  EXPECT_EQ(answer.headers.count("authorization"), 0u);
  EXPECT_EQ(answer.body.find(kDevelopmentSecret), std::string::npos);
}

TEST_F(HttpServerTest, TruncatedBodyIs400AndTheServerKeepsServing) {
  proto::DescribeTableRequest request;
  request.set_table_name("a_table_name_long_enough_to_cut");
  const std::string body = request.SerializeAsString();
  PostAnswer answer = otsd_->Post("DescribeTable", body.substr(0, body.size() - 5));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSParameterInvalid");
  ExpectSignedResponse("DescribeTable", answer);

  for (int i = 0; i < 20; ++i) {
    PostAnswer list = otsd_->Post("ListTable", "");
    ASSERT_EQ(list.status, 200) << i;
  }
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  const std::string body(kMaxRequestBodyBytes + 1, 'x');
  PostAnswer answer = otsd_->Post("PutRow", body);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSRequestBodyTooLarge");
  PostAnswer list = otsd_->Post("ListTable", "");
  EXPECT_EQ(list.status, 200);
}

TEST_F(HttpServerTest, MissingTableIs404) {
  proto::DescribeTableRequest request;
  request.set_table_name("nope");
  PostAnswer answer = Call("DescribeTable", request);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSObjectNotExist");
  ExpectSignedResponse("DescribeTable", answer);
}

TEST(HttpServerLimitsTest, SlowClientsAreCutOffAtTheRequestDeadlineAndOthersAreServed) {
  InProcessOtsdOptions options;
  options.threads = 2;
  options.http.max_threads = 2;
  options.http.request_timeout_millis = 600;
  Result<std::unique_ptr<InProcessOtsd>> started = InProcessOtsd::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  InProcessOtsd& otsd = **started;

  // Twice as many slow clients as threads, each sending a request head a byte every 100 ms:
  // without a deadline they would hold both threads for as long as they keep sending (20 s).
  constexpr int kSlowClients = 4;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(otsd.port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("POST /ListTable HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  std::atomic<bool> done{false};
  std::vector<std::chrono::steady_clock::time_point> cut_off(kSlowClients);
  std::thread trickle([&] {
    const auto start = std::chrono::steady_clock::now();
    std::vector<bool> open(kSlowClients, true);
    while (!done && std::chrono::steady_clock::now() - start < std::chrono::seconds(20)) {
      for (int i = 0; i < kSlowClients; ++i) {
        if (open[i] && !slow[i]->Send("X")) {
          open[i] = false;
          cut_off[i] = std::chrono::steady_clock::now();
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto asked = std::chrono::steady_clock::now();
  httplib::Client client("127.0.0.1", otsd.port());
  client.set_read_timeout(std::chrono::seconds(15));
  httplib::Result answer = PostSigned(client, "ListTable", "");
  const auto waited = std::chrono::steady_clock::now() - asked;
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  // Two rounds of slow clients, 600 ms each, then this one.
  EXPECT_LT(waited, std::chrono::seconds(5));

  for (int i = 0; i < kSlowClients; ++i) {
    EXPECT_TRUE(slow[i]->ClosedWithin(std::chrono::seconds(5))) << "slow client " << i;
  }
  done = true;
  trickle.join();
}

TEST_F(HttpServerTest, AClientExpectingContinueIsAskedForItsBody) {
  RawConnection connection(otsd_->port());
  ASSERT_TRUE(connection.connected());
  const std::string body = DescribeTableBody("nope");
  ASSERT_TRUE(connection.Send(RequestBytes("DescribeTable", body, "Expect: 100-continue\r\n", "")));
  const std::string interim = connection.Receive(1, std::chrono::seconds(5));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(connection.Send(body));
  const std::string replies = connection.Receive(2, std::chrono::seconds(5));
  EXPECT_EQ(replies.find("HTTP/1.1 404 ", interim.size()), interim.size()) << replies;
  EXPECT_NE(replies.find("OTSObjectNotExist"), std::string::npos) << replies;
}

TEST_F(HttpServerTest, AChunkedBodyIsReadWhole) {
  RawConnection connection(otsd_->port());
  ASSERT_TRUE(connection.connected());
  const std::string body = DescribeTableBody("a_missing_table");
  std::string chunks;
  for (size_t at = 0; at < body.size(); at += 5) {
    const std::string piece = body.substr(at, 5);
    char size[16];
    std::snprintf(size, sizeof(size), "%zx", piece.size());
    chunks += std::string(size) + "\r\n" + piece + "\r\n";
  }
  chunks += "0\r\n\r\n";
  ASSERT_TRUE(connection.Send(
      RequestBytes("DescribeTable", body, "Transfer-Encoding: chunked\r\n", chunks)));
  const std::string reply = connection.Receive(1, std::chrono::seconds(5));
  EXPECT_EQ(reply.rfind("HTTP/1.1 404 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("OTSObjectNotExist"), std::string::npos) << reply;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection connection(otsd_->port());
  ASSERT_TRUE(connection.connected());
  const std::string body = DescribeTableBody("nope");
  ASSERT_TRUE(connection.Send(RequestBytes("DescribeTable", body, "", body) +
                              RequestBytes("ListTable", "", "", "")));
  const std::string replies = connection.Receive(2, std::chrono::seconds(5));
  const size_t second = replies.find("HTTP/1.1 ", 1);
  EXPECT_EQ(replies.rfind("HTTP/1.1 404 ", 0), 0u) << replies;
  ASSERT_NE(second, std::string::npos) << replies;
  EXPECT_EQ(replies.find("HTTP/1.1 200 ", second), second) << replies;
  EXPECT_FALSE(connection.ClosedWithin(std::chrono::milliseconds(200)));
}

TEST_F(HttpServerTest, AMalformedRequestIsRefusedAndItsConnectionClosed) {
  RawConnection connection(otsd_->port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Send("POST /ListTable HTTP/1.1\r\nContent-Length: 12x\r\n\r\n"));
  const std::string reply = connection.Receive(1, std::chrono::seconds(5));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Length is not a number of bytes"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_TRUE(connection.ClosedWithin(std::chrono::seconds(5)));
  PostAnswer list = otsd_->Post("ListTable", "");
  EXPECT_EQ(list.status, 200);
}

// The GetRange read-ahead (row_handlers.cc): a scan's next page is prepared while the current one
// is out, and served only when it is what a fresh read would return.
class RangeReadAheadTest : public HttpServerTest {
 protected:
  void SetUp() override {
    InProcessOtsdOptions options;
    read_ahead_ = options.dispatcher.range_read_ahead;
    Result<std::unique_ptr<InProcessOtsd>> otsd = InProcessOtsd::Start(options);
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(otsd).value();
  }

  void CreateTableWithTtl(const std::string& name, int32_t ttl_seconds) {
    proto::CreateTableRequest request = StringKeyTableRequest(name);
    request.mutable_table_options()->set_time_to_live(ttl_seconds);
    ASSERT_EQ(Call("CreateTable", request).status, 200);
  }

  void Put(const std::string& table, const std::string& key) {
    proto::PutRowRequest put;
    put.set_table_name(table);
    put.set_row(wire::EncodeRow(RowOf(key, "value of " + key)));
    put.mutable_condition()->set_row_existence(proto::IGNORE);
    ASSERT_EQ(Call("PutRow", put).status, 200);
  }

  static proto::GetRangeRequest WholeTable(const std::string& table, int32_t limit) {
    proto::GetRangeRequest range;
    range.set_table_name(table);
    range.set_direction(proto::FORWARD);
    range.set_max_versions(1);
    range.set_limit(limit);
    range.set_inclusive_start_primary_key(wire::EncodePrimaryKey({{"pk", wire::Value::InfMin()}}));
    range.set_exclusive_end_primary_key(wire::EncodePrimaryKey({{"pk", wire::Value::InfMax()}}));
    return range;
  }

  proto::GetRangeResponse Page(const proto::GetRangeRequest& range) {
    PostAnswer answer = Call("GetRange", range);
    EXPECT_EQ(answer.status, 200) << ErrorOf(answer).message();
    // Prepared or read at once, a page goes out with the MD5 of its bytes.
    auto md5 = answer.headers.find("x-ots-contentmd5");
    EXPECT_TRUE(md5 != answer.headers.end());
    if (md5 != answer.headers.end()) {
      EXPECT_EQ(md5->second, wire::ContentMd5(answer.body));
    }
    proto::GetRangeResponse page;
    EXPECT_TRUE(page.ParseFromString(answer.body));
    return page;
  }

  // The rows the store itself encodes for the page of `range`, read now.
  std::string FreshRows(const std::string& table, const proto::GetRangeRequest& range) {
    wire::RangeRequest request;
    request.inclusive_start = *DecodePrimaryKeyField(range.inclusive_start_primary_key(), "start");
    request.exclusive_end = *DecodePrimaryKeyField(range.exclusive_end_primary_key(), "end");
    request.limit = range.limit();
    request.read.max_versions = 1;
    std::string rows;
    wire::PlainBufferWriter writer(&rows);
    EXPECT_TRUE(
        otsd_->store()->EncodeRangePage(kDevelopmentInstance, table, request, &writer).ok());
    return rows;
  }

  // A scan's chain may have run more jobs than `count` by the time this returns.
  void WaitForJobs(uint64_t count) { ASSERT_GE(WaitForReadAheadJobs(*read_ahead_, count), count); }

  std::shared_ptr<ReadAhead> read_ahead_;
};

TEST_F(RangeReadAheadTest, PagesServedAheadAreThePagesOfAFreshRead) {
  CreateTable("t");
  for (int i = 0; i < 230; ++i) Put("t", "k" + std::to_string(1000 + i));
  proto::GetRangeRequest range = WholeTable("t", 50);
  int pages = 0;
  for (;;) {
    const std::string expected = FreshRows("t", range);
    proto::GetRangeResponse page = Page(range);
    ++pages;
    EXPECT_EQ(page.rows(), expected) << "page " << pages;
    if (page.next_start_primary_key().empty()) break;
    WaitForJobs(static_cast<uint64_t>(pages) + 1);  // The first page had a job too.
    range.set_inclusive_start_primary_key(page.next_start_primary_key());
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(read_ahead_->answers_taken(), 4u);
}

TEST_F(RangeReadAheadTest, AScanIsPreparedTwoPagesAheadOfItsReader) {
  CreateTable("t");
  for (int i = 0; i < 80; ++i) Put("t", "k" + std::to_string(1000 + i));
  proto::GetRangeRequest range = WholeTable("t", 10);
  // The first page is built by the idle read-ahead's thread too (one job), and starts the chain.
  proto::GetRangeResponse page = Page(range);
  // Pages 2 and 3 are prepared; the chain then waits for its reader.
  WaitForJobs(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(read_ahead_->jobs_run(), 3u);
  range.set_inclusive_start_primary_key(page.next_start_primary_key());
  page = Page(range);  // Page 2, taken: the chain goes on with page 4.
  WaitForJobs(4);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(read_ahead_->jobs_run(), 4u);
  int pages = 2;
  while (!page.next_start_primary_key().empty()) {
    range.set_inclusive_start_primary_key(page.next_start_primary_key());
    WaitForJobs(static_cast<uint64_t>(pages) + 1);  // The next page is built.
    const std::string expected = FreshRows("t", range);
    page = Page(range);
    ++pages;
    EXPECT_EQ(page.rows(), expected) << "page " << pages;
  }
  EXPECT_EQ(pages, 8);
  // Every page after the first came prepared; one job per page, none past the end.
  EXPECT_EQ(read_ahead_->answers_taken(), 7u);
  EXPECT_EQ(read_ahead_->jobs_run(), 8u);
}

TEST_F(RangeReadAheadTest, APageIsReadAfreshAfterAWrite) {
  CreateTable("t");
  for (int i = 0; i < 120; ++i) Put("t", "k" + std::to_string(1000 + i));
  proto::GetRangeRequest range = WholeTable("t", 50);
  proto::GetRangeResponse first = Page(range);
  WaitForJobs(2);      // The first page's job and the second's.
  Put("t", "k1060x");  // Inside the second page, written after it was prepared.
  range.set_inclusive_start_primary_key(first.next_start_primary_key());
  proto::GetRangeResponse second = Page(range);
  // The prepared page was taken, found older than the write and dropped.
  EXPECT_EQ(read_ahead_->answers_taken(), 1u);
  Result<std::vector<wire::Row>> rows = wire::DecodeRows(second.rows());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  bool seen = false;
  for (const wire::Row& row : *rows) seen |= row.primary_key == RowOf("k1060x", "").primary_key;
  EXPECT_TRUE(seen) << "the row written between the pages is missing from the second";
}

// A scan whose calls say they do not check the MD5 gets its pages without it, prepared or not;
// a call that checks it and takes a page prepared for such a scan gets the page's MD5, which the
// read-ahead left to the front to compute.
TEST_F(RangeReadAheadTest, PagesGoWithoutTheMd5OnlyToAScanThatDoesNotCheckIt) {
  CreateTable("t");
  for (int i = 0; i < 80; ++i) Put("t", "k" + std::to_string(1000 + i));
  proto::GetRangeRequest range = WholeTable("t", 20);
  auto unchecked_page = [&](const proto::GetRangeRequest& request) {
    const std::string body = request.SerializeAsString();
    wire::HeaderMap headers = SignedRequestHeaders("GetRange", body);
    headers.emplace(wire::kContentMd5CheckHeader, wire::kContentMd5Unchecked);
    httplib::Result answer =
        otsd_->client().Post("/GetRange", httplib::Headers(headers.begin(), headers.end()),
                             body.data(), body.size(), "application/octet-stream");
    proto::GetRangeResponse page;
    EXPECT_TRUE(answer);
    if (!answer) return page;
    EXPECT_EQ(answer->status, 200);
    EXPECT_FALSE(answer->has_header("x-ots-contentmd5"));
    EXPECT_TRUE(answer->has_header("authorization"));
    EXPECT_TRUE(page.ParseFromString(answer->body));
    return page;
  };

  // Pages 1 and 2 unchecked (1 built for its call, 2 prepared), pages 3 and 4 checked (prepared,
  // as every page of the scan, for the scan whose first call did not check the MD5).
  std::string expected = FreshRows("t", range);
  proto::GetRangeResponse page = unchecked_page(range);
  EXPECT_EQ(page.rows(), expected);
  for (int number = 2; number <= 4; ++number) {
    ASSERT_FALSE(page.next_start_primary_key().empty()) << "page " << number;
    range.set_inclusive_start_primary_key(page.next_start_primary_key());
    WaitForJobs(static_cast<uint64_t>(number));
    expected = FreshRows("t", range);
    page = number == 2 ? unchecked_page(range) : Page(range);  // Page checks the MD5 header.
    EXPECT_EQ(page.rows(), expected) << "page " << number;
  }
  EXPECT_EQ(read_ahead_->answers_taken(), 3u);
}

TEST_F(RangeReadAheadTest, PagesOfATableWhoseCellsExpireAreNotKept) {
  CreateTableWithTtl("t", 86400);
  for (int i = 0; i < 80; ++i) Put("t", "k" + std::to_string(1000 + i));
  proto::GetRangeRequest range = WholeTable("t", 50);
  proto::GetRangeResponse first = Page(range);
  WaitForJobs(2);  // The first page's job (served at once) and the second's (nothing kept).
  EXPECT_EQ(first.rows(), FreshRows("t", range));
  range.set_inclusive_start_primary_key(first.next_start_primary_key());
  const std::string expected = FreshRows("t", range);
  EXPECT_EQ(Page(range).rows(), expected);
  EXPECT_EQ(read_ahead_->answers_taken(), 0u);
}

}  // namespace
}  // namespace otsync::server
