#include "client/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/http_transport.h"
#include "proto/table_store.pb.h"
#include "wire/concurrent_content_md5.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::client {
namespace {

namespace pb = ::otsync::proto;

constexpr char kSecret[] = "test-secret-never-shown";

struct RecordedRequest {
  std::string api;
  wire::HeaderMap ots_headers;  // Lowercased x-ots-* headers and wire::kContentMd5CheckHeader.
  std::string body;
};

// An in-process HTTP server on 127.0.0.1:0 that records every request and answers it with the
// handler the test installed.
class FakeOts {
 public:
  using Handler = std::function<void(const RecordedRequest&, httplib::Response&)>;

  FakeOts() {
    server_.Post(R"(/([\w/]+))", [this](const httplib::Request& request, httplib::Response& reply) {
      RecordedRequest recorded;
      recorded.api = request.matches[1];
      for (const auto& [name, value] : request.headers) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.rfind("x-ots-", 0) == 0 || lower == wire::kContentMd5CheckHeader) {
          recorded.ots_headers[lower] = value;
        }
      }
      recorded.body = request.body;
      Handler handler;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(recorded);
        handler = handler_;
      }
      handler(recorded, reply);
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeOts() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_handler(Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
};

void ReplyMessage(const google::protobuf::Message& message, httplib::Response& reply) {
  std::string body = message.SerializePartialAsString();
  reply.status = 200;
  reply.set_header("x-ots-contentmd5", wire::ContentMd5(body));
  reply.set_content(body, "application/x.pb2");
}

void ReplyError(int status, const std::string& code, const std::string& message,
                httplib::Response& reply) {
  pb::Error error;
  error.set_code(code);
  error.set_message(message);
  reply.status = status;
  reply.set_content(error.SerializeAsString(), "application/x.pb2");
}

pb::GetRowResponse EmptyGetRowResponse() {
  pb::GetRowResponse response;
  response.mutable_consumed()->mutable_capacity_unit()->set_read(1);
  response.set_row("");
  return response;
}

pb::PutRowResponse PutRowOk() {
  pb::PutRowResponse response;
  response.mutable_consumed()->mutable_capacity_unit()->set_write(1);
  return response;
}

wire::Row SampleRow(const std::string& key) {
  wire::Row row;
  row.primary_key.push_back({"pk", wire::Value::String(key)});
  row.cells.push_back({"name", wire::Value::String("alice"), std::nullopt});
  row.cells.push_back({"age", wire::Value::Integer(30), std::nullopt});
  return row;
}

wire::RowWrite PutOf(const wire::Row& row) {
  wire::RowWrite write;
  write.type = wire::WriteType::kPut;
  write.row = row;
  return write;
}

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> MakeClient(int max_retries = 3, std::shared_ptr<Clock> clock = nullptr) {
    ClientOptions options;
    options.endpoint = server_.endpoint();
    options.instance = "testinst";
    options.credentials.access_key_id = "testid";
    options.credentials.access_key_secret = kSecret;
    options.max_retries = max_retries;
    options.retry_base_delay = std::chrono::milliseconds(1);
    options.retry_max_delay = std::chrono::milliseconds(4);
    options.request_timeout = std::chrono::milliseconds(5000);
    options.clock = std::move(clock);
    Result<std::unique_ptr<Client>> client = Client::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  size_t CountRequests(const std::string& api) {
    size_t count = 0;
    for (const RecordedRequest& request : server_.requests()) count += request.api == api;
    return count;
  }

  FakeOts server_;
};

TEST_F(ClientTest, SignsRequestsAsTheReferenceVector) {
  int64_t micros = 0;
  ASSERT_TRUE(wire::ParseIsoTime("2024-01-02T03:04:05.678Z", &micros));
  // The docs/protocol.md §1.3 test vector: the same inputs sign to the same value.
  ClientOptions options;
  options.endpoint = server_.endpoint();
  options.instance = "testinst";
  options.credentials = {"testid", "testsecret", ""};
  options.clock = std::make_shared<ManualClock>(micros);
  std::unique_ptr<Client> client = Client::Create(options).value();

  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::ListTableResponse response;
    response.add_table_names("a");
    response.add_table_names("b");
    ReplyMessage(response, reply);
  });
  Result<std::vector<std::string>> tables = client->ListTable();
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(*tables, (std::vector<std::string>{"a", "b"}));

  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const wire::HeaderMap& headers = requests[0].ots_headers;
  EXPECT_EQ(requests[0].api, "ListTable");
  EXPECT_EQ(headers.at("x-ots-date"), "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(headers.at("x-ots-apiversion"), "2015-12-31");
  EXPECT_EQ(headers.at("x-ots-instancename"), "testinst");
  EXPECT_EQ(headers.at("x-ots-accesskeyid"), "testid");
  EXPECT_EQ(headers.at("x-ots-contentmd5"), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(headers.at("x-ots-signature"), "mXWCF5NK3ue0leWbipsRmLpH2qE=");
  // A client that checks the answers' MD5 does not tell otsd to leave it out.
  EXPECT_EQ(headers.count(std::string(wire::kContentMd5CheckHeader)), 0u);
  EXPECT_EQ(headers.size(), 6u);
}

TEST_F(ClientTest, SignatureAndMd5CoverTheBodyOfAWrite) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler(
      [](const RecordedRequest&, httplib::Response& reply) { ReplyMessage(PutRowOk(), reply); });
  wire::RowWrite write = PutOf(SampleRow("k1"));
  write.condition.row_existence = wire::RowExistence::kExpectNotExist;
  Result<WriteResult> result = client->PutRow("users", write);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->consumed.write, 1);
  EXPECT_FALSE(result->row.has_value());

  RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.api, "PutRow");
  EXPECT_EQ(request.ots_headers.at("x-ots-contentmd5"), wire::ContentMd5(request.body));
  wire::HeaderMap signed_headers = request.ots_headers;
  signed_headers.erase("x-ots-signature");
  EXPECT_EQ(request.ots_headers.at("x-ots-signature"),
            wire::SignRequest("PutRow", signed_headers, kSecret));

  pb::PutRowRequest sent;
  ASSERT_TRUE(sent.ParseFromString(request.body));
  EXPECT_EQ(sent.table_name(), "users");
  EXPECT_EQ(sent.condition().row_existence(), pb::EXPECT_NOT_EXIST);
  EXPECT_FALSE(sent.has_return_content());
  Result<wire::Row> row = wire::DecodeRow(sent.row());
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(*row, SampleRow("k1"));
}

TEST_F(ClientTest, SendsTheStsTokenWhenConfigured) {
  ClientOptions options;
  options.endpoint = server_.endpoint() + "/ignored/path";
  options.instance = "i";
  options.credentials = {"id", kSecret, "sts-token"};
  std::unique_ptr<Client> client = Client::Create(options).value();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyMessage(pb::ListTableResponse(), reply);
  });
  ASSERT_TRUE(client->ListTable().ok());
  RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.api, "ListTable");
  EXPECT_EQ(request.ots_headers.at("x-ots-ststoken"), "sts-token");
}

TEST_F(ClientTest, DecodesTheServiceErrorIntoAStatus) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(404, "OTSObjectNotExist", "Requested table does not exist.", reply);
  });
  Result<wire::TableDescription> table = client->DescribeTable("missing");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(table.status().message(), "OTSObjectNotExist: Requested table does not exist.");
  EXPECT_EQ(CountRequests("DescribeTable"), 1u);
}

TEST_F(ClientTest, RetriesAReadOn503UpToMaxRetries) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(503, "OTSServerUnavailable", "Server is unavailable.", reply);
  });
  Result<std::optional<wire::Row>> row = client->GetRow("t", SampleRow("k").primary_key);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(row.status().message(), "OTSServerUnavailable: Server is unavailable.");
  EXPECT_EQ(CountRequests("GetRow"), 4u);
}

TEST_F(ClientTest, ARetriedReadSucceedsOnceTheServerRecovers) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  std::atomic<int> calls{0};
  wire::Row stored = SampleRow("k");
  for (wire::Cell& cell : stored.cells) cell.timestamp = 1700000000000;
  server_.set_handler([&](const RecordedRequest&, httplib::Response& reply) {
    if (calls++ < 2) return ReplyError(503, "OTSServerBusy", "Server is busy.", reply);
    pb::GetRowResponse response = EmptyGetRowResponse();
    response.set_row(wire::EncodeRow(stored));
    ReplyMessage(response, reply);
  });
  Result<std::optional<wire::Row>> row = client->GetRow("t", stored.primary_key);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ(**row, stored);
  EXPECT_EQ(calls.load(), 3);
}

TEST_F(ClientTest, NeverRetriesAConditionFailure) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(403, "OTSConditionCheckFail", "Condition check failed.", reply);
  });
  Result<WriteResult> result = client->PutRow("t", PutOf(SampleRow("k")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kConditionCheckFailed);
  EXPECT_EQ(result.status().message(), "OTSConditionCheckFail: Condition check failed.");
  EXPECT_EQ(CountRequests("PutRow"), 1u);
}

TEST_F(ClientTest, NeverRetriesAWriteOn500) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(500, "OTSInternalServerError", "Internal server error.", reply);
  });
  Result<WriteResult> result = client->UpdateRow("t", PutOf(SampleRow("k")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
  EXPECT_EQ(CountRequests("UpdateRow"), 1u);

  // The same answer to a read is retried.
  Result<std::optional<wire::Row>> row = client->GetRow("t", SampleRow("k").primary_key);
  EXPECT_EQ(row.status().code(), StatusCode::kInternal);
  EXPECT_EQ(CountRequests("GetRow"), 4u);
}

TEST_F(ClientTest, RetriesARowConflictEvenOnAWrite) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/2);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(409, "OTSRowOperationConflict", "Data is being modified by the other request.",
               reply);
  });
  Result<WriteResult> result = client->PutRow("t", PutOf(SampleRow("k")));
  EXPECT_EQ(result.status().code(), StatusCode::kRowOperationConflict);
  EXPECT_EQ(CountRequests("PutRow"), 3u);
}

TEST_F(ClientTest, AnUndecodable5xxIsServerUnavailable) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/1);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    reply.status = 502;
    reply.set_content("<html>bad gateway</html>", "text/html");
  });
  Result<std::vector<std::string>> tables = client->ListTable();
  ASSERT_FALSE(tables.ok());
  EXPECT_EQ(tables.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(tables.status().message().find("OTSServerUnavailable: HTTP 502"), std::string::npos)
      << tables.status().message();
  EXPECT_EQ(CountRequests("ListTable"), 2u);
}

TEST_F(ClientTest, ADamagedResponseBodyIsRetriedOnlyForReads) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/2);
  server_.set_handler([](const RecordedRequest& request, httplib::Response& reply) {
    std::string body = request.api == "GetRow" ? EmptyGetRowResponse().SerializeAsString()
                                               : PutRowOk().SerializeAsString();
    reply.status = 200;
    reply.set_header("x-ots-contentmd5", "AAAAAAAAAAAAAAAAAAAAAA==");
    reply.set_content(body, "application/x.pb2");
  });
  EXPECT_EQ(client->PutRow("t", PutOf(SampleRow("k"))).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(CountRequests("PutRow"), 1u);
  EXPECT_EQ(client->GetRow("t", SampleRow("k").primary_key).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(CountRequests("GetRow"), 3u);
}

TEST(ClientNetworkTest, ANetworkFailureIsUnavailableAndHidesTheSecret) {
  // A port that was free a moment ago: connecting to it is refused.
  int port = 0;
  {
    int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    ASSERT_EQ(::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port = ntohs(address.sin_port);
    ::close(socket_fd);
  }
  ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  options.instance = "i";
  options.credentials = {"id", kSecret, ""};
  options.max_retries = 2;
  options.retry_base_delay = std::chrono::milliseconds(1);
  options.connect_timeout = std::chrono::milliseconds(500);
  std::unique_ptr<Client> client = Client::Create(options).value();
  Result<std::optional<wire::Row>> row = client->GetRow("t", SampleRow("k").primary_key);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(row.status().message().find("network error"), std::string::npos);
  EXPECT_EQ(row.status().ToString().find(kSecret), std::string::npos);
  Status write = client->DeleteTable("t");
  EXPECT_EQ(write.code(), StatusCode::kUnavailable);
}

TEST(ClientCreateTest, RejectsBadEndpointsAndMissingIdentity) {
  ClientOptions options;
  options.instance = "i";
  options.credentials = {"id", kSecret, ""};
  for (const char* endpoint : {"", "127.0.0.1:80", "ftp://host", "http://", "http://:80"}) {
    options.endpoint = endpoint;
    Result<std::unique_ptr<Client>> client = Client::Create(options);
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << endpoint;
  }
  options.endpoint = "http://127.0.0.1:1";
  options.instance = "";
  EXPECT_EQ(Client::Create(options).status().code(), StatusCode::kInvalidArgument);
}

// Serves GetRange over `keys`, one row per page, each page naming the next key.
void ServeOneKeyPerPage(FakeOts* server, std::vector<std::string> keys) {
  server->set_handler([keys](const RecordedRequest& request, httplib::Response& reply) {
    pb::GetRangeRequest range;
    ASSERT_TRUE(range.ParseFromString(request.body));
    wire::Row start = wire::DecodeRow(range.inclusive_start_primary_key()).value();
    size_t index = 0;
    if (start.primary_key[0].value.type() == wire::ValueType::kString) {
      while (keys[index] != start.primary_key[0].value.bytes()) ++index;
    }
    pb::GetRangeResponse response;
    response.mutable_consumed()->mutable_capacity_unit()->set_read(1);
    wire::Row row;
    row.primary_key.push_back({"pk", wire::Value::String(keys[index])});
    row.cells.push_back({"v", wire::Value::Integer(static_cast<int64_t>(index)), 1000});
    response.set_rows(wire::EncodeRow(row));
    if (index + 1 < keys.size()) {
      response.set_next_start_primary_key(
          wire::EncodePrimaryKey({{"pk", wire::Value::String(keys[index + 1])}}));
    }
    ReplyMessage(response, reply);
  });
}

wire::RangeRequest WholeRangeOnePerPage() {
  wire::RangeRequest range;
  range.inclusive_start = {{"pk", wire::Value::InfMin()}};
  range.exclusive_end = {{"pk", wire::Value::InfMax()}};
  range.limit = 1;
  return range;
}

TEST_F(ClientTest, ScanRangePagesUntilTheRangeEnds) {
  std::unique_ptr<Client> client = MakeClient();
  const std::vector<std::string> keys = {"a", "b", "c"};
  ServeOneKeyPerPage(&server_, keys);
  Result<std::vector<wire::Row>> rows = client->GetWholeRange("t", WholeRangeOnePerPage());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ((*rows)[i].primary_key[0].value.bytes(), keys[i]);
  }
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  pb::GetRangeRequest last;
  ASSERT_TRUE(last.ParseFromString(requests[2].body));
  EXPECT_EQ(last.limit(), 1);
  EXPECT_EQ(last.max_versions(), 1);
  EXPECT_EQ(last.direction(), pb::FORWARD);
}

TEST_F(ClientTest, ScanRangeAsksForTheNextPageWhileAPageIsHandedOver) {
  std::unique_ptr<Client> client = MakeClient();
  ServeOneKeyPerPage(&server_, {"a", "b", "c"});
  std::vector<size_t> requests_seen_during_page;
  Status scanned = client->ScanRange("t", WholeRangeOnePerPage(), [&](std::vector<wire::Row>&) {
    // The request for the next page is on its way while this page is being handled.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const size_t wanted = std::min<size_t>(requests_seen_during_page.size() + 2, 3);
    while (server_.requests().size() < wanted && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    requests_seen_during_page.push_back(server_.requests().size());
    return Status::OK();
  });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  EXPECT_EQ(requests_seen_during_page, (std::vector<size_t>{2, 3, 3}));
  // The next page starts at the key the server sent, byte for byte.
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  pb::GetRangeRequest second;
  ASSERT_TRUE(second.ParseFromString(requests[1].body));
  EXPECT_EQ(second.inclusive_start_primary_key(),
            wire::EncodePrimaryKey({{"pk", wire::Value::String("b")}}));
}

TEST_F(ClientTest, ScanRangeStopsAtTheErrorOfItsCallback) {
  std::unique_ptr<Client> client = MakeClient();
  ServeOneKeyPerPage(&server_, {"a", "b", "c", "d"});
  int pages = 0;
  Status scanned = client->ScanRange("t", WholeRangeOnePerPage(), [&](std::vector<wire::Row>&) {
    ++pages;
    return Status(StatusCode::kAborted, "enough");
  });
  EXPECT_EQ(scanned.code(), StatusCode::kAborted);
  EXPECT_EQ(pages, 1);
  // At most the one page asked for ahead.
  EXPECT_LE(server_.requests().size(), 2u);
}

TEST_F(ClientTest, ScanRangeHandsAPageOverInBatches) {
  std::unique_ptr<Client> client = MakeClient();
  constexpr size_t kRows = 2 * Client::kScanBatchRows + 100;
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::GetRangeResponse response;
    response.mutable_consumed()->mutable_capacity_unit()->set_read(1);
    std::string rows;
    wire::PlainBufferWriter writer(&rows);
    for (size_t i = 0; i < kRows; ++i) {
      wire::Row row;
      row.primary_key.push_back({"pk", wire::Value::Integer(static_cast<int64_t>(i))});
      row.cells.push_back({"v", wire::Value::String("row " + std::to_string(i)), 1000});
      writer.AppendRow(row);
    }
    response.set_rows(rows);
    ReplyMessage(response, reply);
  });
  std::vector<size_t> batch_sizes;
  int64_t next_key = 0;
  Status scanned =
      client->ScanRange("t", WholeRangeOnePerPage(), [&](std::vector<wire::Row>& batch) {
        batch_sizes.push_back(batch.size());
        for (const wire::Row& row : batch) {
          if (row.primary_key[0].value.integer() != next_key) {
            return Status::Internal("row " + std::to_string(next_key) + " out of order");
          }
          ++next_key;
        }
        return Status::OK();
      });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  EXPECT_EQ(batch_sizes,
            (std::vector<size_t>{Client::kScanBatchRows, Client::kScanBatchRows, 100}));
  EXPECT_EQ(next_key, static_cast<int64_t>(kRows));
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(ClientTest, BatchWriteRowReportsEachRowsOutcome) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest& request, httplib::Response& reply) {
    pb::BatchWriteRowRequest batch;
    ASSERT_TRUE(batch.ParseFromString(request.body));
    pb::BatchWriteRowResponse response;
    for (const pb::TableInBatchWriteRowRequest& table : batch.tables()) {
      pb::TableInBatchWriteRowResponse* out = response.add_tables();
      out->set_table_name(table.table_name());
      for (const pb::RowInBatchWriteRowRequest& row : table.rows()) {
        pb::RowInBatchWriteRowResponse* result = out->add_rows();
        result->set_is_ok(row.type() != pb::DELETE);
        if (row.type() == pb::DELETE) {
          result->mutable_error()->set_code("OTSConditionCheckFail");
          result->mutable_error()->set_message("Condition check failed.");
        } else {
          result->mutable_consumed()->mutable_capacity_unit()->set_write(1);
        }
      }
    }
    ReplyMessage(response, reply);
  });
  wire::TableWrites writes;
  writes.table_name = "t";
  writes.rows.push_back(PutOf(SampleRow("a")));
  wire::RowWrite remove = PutOf(SampleRow("b"));
  remove.type = wire::WriteType::kDelete;
  remove.condition.row_existence = wire::RowExistence::kExpectExist;
  writes.rows.push_back(remove);
  auto outcomes = client->BatchWriteRow({writes});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  ASSERT_EQ(outcomes->size(), 1u);
  ASSERT_EQ((*outcomes)[0].size(), 2u);
  EXPECT_TRUE((*outcomes)[0][0].status.ok());
  EXPECT_EQ((*outcomes)[0][1].status.code(), StatusCode::kConditionCheckFailed);
  EXPECT_EQ((*outcomes)[0][1].status.message(), "OTSConditionCheckFail: Condition check failed.");

  pb::BatchWriteRowRequest sent;
  ASSERT_TRUE(sent.ParseFromString(server_.requests().at(0).body));
  // A delete carries only the key and the marker (docs/protocol.md §3.9).
  wire::Row deleted = wire::DecodeRow(sent.tables(0).rows(1).row_change()).value();
  EXPECT_TRUE(deleted.delete_marker);
  EXPECT_TRUE(deleted.cells.empty());
  EXPECT_EQ(sent.tables(0).rows(1).condition().row_existence(), pb::EXPECT_EXIST);
}

TEST_F(ClientTest, DescribeTableReadsTheSchemaAndStream) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::DescribeTableResponse response;
    response.mutable_table_meta()->set_table_name("t");
    pb::PrimaryKeySchema* pk = response.mutable_table_meta()->add_primary_key();
    pk->set_name("id");
    pk->set_type(pb::INTEGER);
    pk->set_option(pb::AUTO_INCREMENT);
    response.mutable_reserved_throughput_details()->mutable_capacity_unit()->set_read(0);
    response.mutable_reserved_throughput_details()->set_last_increase_time(1700000000);
    response.mutable_table_options()->set_max_versions(3);
    response.mutable_table_options()->set_time_to_live(-1);
    response.set_table_status(pb::ACTIVE);
    response.mutable_stream_details()->set_enable_stream(true);
    response.mutable_stream_details()->set_stream_id("s1");
    response.mutable_stream_details()->set_expiration_time(24);
    ReplyMessage(response, reply);
  });
  Result<wire::TableDescription> table = client->DescribeTable("t");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->name, "t");
  ASSERT_EQ(table->primary_key.size(), 1u);
  EXPECT_EQ(table->primary_key[0].type, wire::PrimaryKeyType::kInteger);
  EXPECT_TRUE(table->primary_key[0].auto_increment);
  EXPECT_EQ(table->options.max_versions, 3);
  EXPECT_TRUE(table->stream.enabled);
  EXPECT_EQ(table->stream.stream_id, "s1");
  EXPECT_EQ(table->creation_time_micros, 1700000000000000);
}

TEST_F(ClientTest, ConcurrentCallsShareTheClient) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler(
      [](const RecordedRequest&, httplib::Response& reply) { ReplyMessage(PutRowOk(), reply); });
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        if (!client->PutRow("t", PutOf(SampleRow(std::to_string(t * 100 + i)))).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountRequests("PutRow"), 80u);
}

// ---------------------------------------------------------------------------------------------
// Streams. The record bytes are the stream-record vectors of docs/protocol.md §3.12.

constexpr char kPutRecordHex[] =
    "7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007607"
    "e8030000000000000a550b180000000c130000000d010000000e00401e18240a06000f0000000009c9";
constexpr char kUpdateRecordHex[] =
    "7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007707"
    "d0070000000000000a9803040100000064060307e8030000000000000a1c0304010000006506010ab30b18000000"
    "0c130000000d010000000e01401e18240a06000f00000000092c";
constexpr char kDeleteRecordHex[] =
    "7500000001030402000000706b05060000000301000000610ad4080b180000000c130000000d010000000e02401e"
    "18240a06000f0000000009e9";
// Request vector B (PutRow pk="a", c="v"): a valid row, but no extension and no timestamp.
constexpr char kRowWithoutExtensionHex[] =
    "7500000001030402000000706b05060000000301000000610ad4020304010000006305060000000301000000760a"
    "de09e8";
constexpr int64_t kRecordTime = 1700000000000000;

std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

void AddRecord(pb::ActionType action, std::string_view hex, pb::GetStreamRecordResponse* out) {
  pb::GetStreamRecordResponse::StreamRecord* record = out->add_stream_records();
  record->set_action_type(action);
  record->set_record(FromHex(hex));
}

pb::GetStreamRecordResponse ThreeRecords() {
  pb::GetStreamRecordResponse response;
  AddRecord(pb::PUT_ROW, kPutRecordHex, &response);
  AddRecord(pb::UPDATE_ROW, kUpdateRecordHex, &response);
  AddRecord(pb::DELETE_ROW, kDeleteRecordHex, &response);
  response.set_next_shard_iterator("iterator-2");
  response.set_may_more_record(true);
  response.mutable_consumed()->mutable_capacity_unit()->set_read(1);
  return response;
}

wire::Cell PutCell(std::string name, std::string value, int64_t timestamp) {
  return {std::move(name), wire::Value::String(std::move(value)), timestamp,
          wire::CellOperation::kPut};
}

TEST_F(ClientTest, ListStreamSendsTheTableOnlyWhenGiven) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::ListStreamResponse response;
    pb::Stream* stream = response.add_streams();
    stream->set_stream_id("t_stream_1");
    stream->set_table_name("t");
    stream->set_creation_time(kRecordTime);
    ReplyMessage(response, reply);
  });
  Result<std::vector<StreamInfo>> streams = client->ListStream("t");
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].stream_id, "t_stream_1");
  EXPECT_EQ((*streams)[0].table_name, "t");
  EXPECT_EQ((*streams)[0].creation_time_micros, kRecordTime);
  ASSERT_TRUE(client->ListStream().ok());

  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  pb::ListStreamRequest with_table;
  pb::ListStreamRequest without_table;
  ASSERT_TRUE(with_table.ParseFromString(requests[0].body));
  ASSERT_TRUE(without_table.ParseFromString(requests[1].body));
  EXPECT_EQ(requests[0].api, "ListStream");
  EXPECT_EQ(with_table.table_name(), "t");
  EXPECT_FALSE(without_table.has_table_name());
}

TEST_F(ClientTest, DescribeStreamPagesThroughEveryShardWithItsParents) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest& recorded, httplib::Response& reply) {
    pb::DescribeStreamRequest request;
    ASSERT_TRUE(request.ParseFromString(recorded.body));
    pb::DescribeStreamResponse response;
    response.set_stream_id(request.stream_id());
    response.set_expiration_time(24);
    response.set_table_name("t");
    response.set_creation_time(kRecordTime);
    response.set_stream_status(pb::STREAM_ACTIVE);
    if (!request.has_inclusive_start_shard_id()) {
      response.add_shards()->set_shard_id("s1");
      response.add_shards()->set_shard_id("s2");
      response.set_next_shard_id("s3");
    } else {
      EXPECT_EQ(request.inclusive_start_shard_id(), "s3");
      pb::StreamShard* split_child = response.add_shards();
      split_child->set_shard_id("s3");
      split_child->set_parent_id("s1");
      pb::StreamShard* merge_child = response.add_shards();
      merge_child->set_shard_id("s4");
      merge_child->set_parent_id("s2");
      merge_child->set_parent_sibling_id("s3");
    }
    EXPECT_EQ(request.shard_limit(), 2);
    ReplyMessage(response, reply);
  });

  Result<StreamDescription> first = client->DescribeStream("t_stream_1", {}, 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, wire::StreamStatus::kActive);
  EXPECT_EQ(first->expiration_hours, 24);
  EXPECT_EQ(first->shards.size(), 2u);
  EXPECT_EQ(first->next_shard_id, std::optional<std::string>("s3"));

  Result<StreamDescription> all = client->DescribeStreamAllShards("t_stream_1", 2);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_FALSE(all->next_shard_id.has_value());
  ASSERT_EQ(all->shards.size(), 4u);
  EXPECT_EQ(all->shards[0].shard_id, "s1");
  EXPECT_EQ(all->shards[0].parent_id, "");
  EXPECT_EQ(all->shards[2].parent_id, "s1");
  EXPECT_EQ(all->shards[3].parent_id, "s2");
  EXPECT_EQ(all->shards[3].parent_sibling_id, "s3");
  EXPECT_EQ(CountRequests("DescribeStream"), 3u);
}

TEST_F(ClientTest, DescribeStreamAllShardsRefusesAPagingLoop) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::DescribeStreamResponse response;
    response.set_stream_id("x");
    response.set_expiration_time(24);
    response.set_table_name("t");
    response.set_creation_time(1);
    response.set_stream_status(pb::STREAM_ENABLING);
    response.add_shards()->set_shard_id("s1");
    response.set_next_shard_id("s1");
    ReplyMessage(response, reply);
  });
  Result<StreamDescription> all = client->DescribeStreamAllShards("x");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
}

TEST_F(ClientTest, GetShardIteratorSendsTheTimestampOnlyWhenGiven) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::GetShardIteratorResponse response;
    response.set_shard_iterator("iterator-1");
    ReplyMessage(response, reply);
  });
  Result<std::string> oldest = client->GetShardIterator("t_stream_1", "s1");
  ASSERT_TRUE(oldest.ok()) << oldest.status().ToString();
  EXPECT_EQ(*oldest, "iterator-1");
  ASSERT_TRUE(client->GetShardIterator("t_stream_1", "s1", kRecordTime).ok());

  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  pb::GetShardIteratorRequest first;
  pb::GetShardIteratorRequest second;
  ASSERT_TRUE(first.ParseFromString(requests[0].body));
  ASSERT_TRUE(second.ParseFromString(requests[1].body));
  EXPECT_EQ(first.stream_id(), "t_stream_1");
  EXPECT_EQ(first.shard_id(), "s1");
  EXPECT_FALSE(first.has_timestamp());
  EXPECT_EQ(second.timestamp(), kRecordTime);
}

TEST_F(ClientTest, GetStreamRecordDecodesEveryRecordKind) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyMessage(ThreeRecords(), reply);
  });
  StreamRecordBatch batch;
  Status status = client->GetStreamRecord("iterator-1", 1000, &batch);
  ASSERT_TRUE(status.ok()) << status.ToString();

  pb::GetStreamRecordRequest request;
  ASSERT_TRUE(request.ParseFromString(server_.requests().at(0).body));
  EXPECT_EQ(request.shard_iterator(), "iterator-1");
  EXPECT_EQ(request.limit(), 1000);

  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.next_shard_iterator(), std::optional<std::string>("iterator-2"));
  EXPECT_TRUE(batch.may_more_record());
  const wire::PrimaryKey key = {{"pk", wire::Value::String("a")}};

  const StreamRecord& put = batch[0];
  EXPECT_EQ(put.action, wire::StreamAction::kPutRow);
  EXPECT_EQ(put.row.primary_key, key);
  EXPECT_EQ(put.row.cells, std::vector<wire::Cell>({PutCell("c", "v", 1000)}));
  EXPECT_EQ(put.sequence, (wire::SequenceInfo{1, kRecordTime, 0}));

  const StreamRecord& update = batch[1];
  EXPECT_EQ(update.action, wire::StreamAction::kUpdateRow);
  ASSERT_EQ(update.row.cells.size(), 3u);
  EXPECT_EQ(update.row.cells[0], PutCell("c", "w", 2000));
  EXPECT_EQ(update.row.cells[1],
            (wire::Cell{"d", std::nullopt, 1000, wire::CellOperation::kDeleteOneVersion}));
  EXPECT_EQ(update.row.cells[2],
            (wire::Cell{"e", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions}));
  EXPECT_EQ(update.sequence, (wire::SequenceInfo{1, kRecordTime + 1, 0}));

  const StreamRecord& deleted = batch[2];
  EXPECT_EQ(deleted.action, wire::StreamAction::kDeleteRow);
  EXPECT_EQ(deleted.row.primary_key, key);
  EXPECT_TRUE(deleted.row.cells.empty());
  EXPECT_EQ(deleted.sequence, (wire::SequenceInfo{1, kRecordTime + 2, 0}));
  EXPECT_EQ(StreamActionName(deleted.action), "DELETE_ROW");

  // The batch is reused: a smaller answer replaces the records, the slots stay.
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::GetStreamRecordResponse response;
    AddRecord(pb::UPDATE_ROW, kUpdateRecordHex, &response);
    response.set_next_shard_iterator("iterator-3");
    ReplyMessage(response, reply);
  });
  ASSERT_TRUE(client->GetStreamRecord("iterator-2", 0, &batch).ok());
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].action, wire::StreamAction::kUpdateRow);
  EXPECT_EQ(batch[0].row.cells.size(), 3u);
  EXPECT_FALSE(batch.may_more_record());
  ASSERT_TRUE(request.ParseFromString(server_.requests().at(1).body));
  EXPECT_FALSE(request.has_limit());
}

TEST_F(ClientTest, AClosedShardFullyReadHasNoNextIterator) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::GetStreamRecordResponse response;  // No records, no next_shard_iterator.
    ReplyMessage(response, reply);
  });
  StreamRecordBatch batch;
  ASSERT_TRUE(client->GetStreamRecord("iterator-9", 100, &batch).ok());
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(batch.next_shard_iterator().has_value());
  EXPECT_FALSE(batch.may_more_record());
}

TEST_F(ClientTest, GetStreamRecordIsRetriedOn503) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  std::atomic<int> calls{0};
  server_.set_handler([&](const RecordedRequest&, httplib::Response& reply) {
    if (calls++ == 0) return ReplyError(503, "OTSServerUnavailable", "Unavailable.", reply);
    ReplyMessage(ThreeRecords(), reply);
  });
  StreamRecordBatch batch;
  Status status = client->GetStreamRecord("iterator-1", 100, &batch);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(batch.size(), 3u);
  EXPECT_EQ(CountRequests("GetStreamRecord"), 2u);
}

TEST_F(ClientTest, TrimmedDataIsItsOwnCodeAndNotRetried) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(400, "OTSTrimmedDataAccess",
               "Requested stream data is already trimmed or does not exist.", reply);
  });
  StreamRecordBatch batch;
  Status status = client->GetStreamRecord("iterator-old", 100, &batch);
  EXPECT_EQ(status.code(), StatusCode::kTrimmedDataAccess);
  EXPECT_EQ(status.message(),
            "OTSTrimmedDataAccess: Requested stream data is already trimmed or does not exist.");
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(CountRequests("GetStreamRecord"), 1u);
}

TEST_F(ClientTest, ABadIteratorIsInvalidArgument) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(400, "OTSParameterInvalid", "Invalid shard iterator.", reply);
  });
  StreamRecordBatch batch;
  EXPECT_EQ(client->GetStreamRecord("forged", 100, &batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->GetStreamRecord("", 100, &batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->GetStreamRecord("it", -1, &batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CountRequests("GetStreamRecord"), 1u);
}

TEST_F(ClientTest, ARecordWithoutTheExtensionIsCorrupt) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    pb::GetStreamRecordResponse response;
    AddRecord(pb::PUT_ROW, kPutRecordHex, &response);
    AddRecord(pb::PUT_ROW, kRowWithoutExtensionHex, &response);
    response.set_next_shard_iterator("iterator-2");
    ReplyMessage(response, reply);
  });
  StreamRecordBatch batch;
  Status status = client->GetStreamRecord("iterator-1", 100, &batch);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("extension"), std::string::npos) << status.message();
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(batch.next_shard_iterator().has_value());
  EXPECT_EQ(CountRequests("GetStreamRecord"), 1u);
}

TEST(StreamDecodeTest, SkipsUnknownFieldsAndRefusesTruncatedBytes) {
  pb::GetStreamRecordResponse response = ThreeRecords();
  response.mutable_stream_records(0)->set_origin_record("pre-image");
  std::string bytes = response.SerializeAsString();
  StreamRecordBatch batch;
  ASSERT_TRUE(DecodeStreamRecordResponse(bytes, &batch).ok());
  EXPECT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.response_bytes(), bytes);

  bytes.pop_back();
  EXPECT_EQ(DecodeStreamRecordResponse(bytes, &batch).code(), StatusCode::kCorruption);
  EXPECT_TRUE(batch.empty());

  // A StreamRecord with action_type 7 (hand-encoded: the generated setter refuses it).
  const std::string record = FromHex(kPutRecordHex);
  std::string message = std::string("\x08\x07\x12", 3) + static_cast<char>(record.size()) + record;
  std::string bad_action = std::string("\x0a", 1) + static_cast<char>(message.size()) + message;
  EXPECT_EQ(DecodeStreamRecordResponse(bad_action, &batch).code(), StatusCode::kCorruption);
}

// A response large enough to be hashed on a helper while it is decoded (32 KiB or more): a
// damaged one is retried, and when every attempt is damaged the call fails with no records left
// in the batch, though they were decoded beside the check.
TEST_F(ClientTest, ALargeDamagedStreamResponseIsRetriedAndLeavesNoRecords) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/2);
  pb::GetStreamRecordResponse large = ThreeRecords();
  while (large.ByteSizeLong() < 3 * wire::ConcurrentContentMd5::kHandOffBytes) {
    AddRecord(pb::PUT_ROW, kPutRecordHex, &large);
  }
  const std::string body = large.SerializeAsString();
  const int records = large.stream_records_size();
  std::atomic<int> damaged_replies{3};
  server_.set_handler([&](const RecordedRequest&, httplib::Response& reply) {
    reply.status = 200;
    reply.set_header("x-ots-contentmd5",
                     damaged_replies-- > 0 ? "AAAAAAAAAAAAAAAAAAAAAA==" : wire::ContentMd5(body));
    reply.set_content(body, "application/x.pb2");
  });
  StreamRecordBatch batch;
  Status status = client->GetStreamRecord("iterator-1", 1000, &batch);
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("does not match its x-ots-contentmd5"), std::string::npos);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(CountRequests("GetStreamRecord"), 3u);

  // Damaged once more, then right: the retry's records are the batch.
  damaged_replies = 1;
  status = client->GetStreamRecord("iterator-1", 1000, &batch);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(batch.size(), static_cast<size_t>(records));
  EXPECT_EQ(batch.response_bytes(), body);
  EXPECT_EQ(CountRequests("GetStreamRecord"), 5u);
}

TEST_F(ClientTest, TheResponseMd5IsIgnoredWhenVerificationIsOff) {
  ClientOptions options;
  options.endpoint = server_.endpoint();
  options.instance = "testinst";
  options.credentials.access_key_id = "testid";
  options.verify_response_md5 = false;
  Result<std::unique_ptr<Client>> client = Client::Create(std::move(options));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    reply.status = 200;
    reply.set_header("x-ots-contentmd5", "AAAAAAAAAAAAAAAAAAAAAA==");
    reply.set_content(ThreeRecords().SerializeAsString(), "application/x.pb2");
  });
  StreamRecordBatch batch;
  Status status = (*client)->GetStreamRecord("iterator-1", 100, &batch);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(batch.size(), 3u);
  EXPECT_EQ(CountRequests("GetStreamRecord"), 1u);
  // And it tells otsd so, which then need not hash its answers; an answer without the header is
  // taken as well.
  const std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].ots_headers.at(std::string(wire::kContentMd5CheckHeader)), "unchecked");
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    reply.status = 200;
    reply.set_content(ThreeRecords().SerializeAsString(), "application/x.pb2");
  });
  status = (*client)->GetStreamRecord("iterator-2", 100, &batch);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(batch.size(), 3u);
}

TEST_F(ClientTest, AdminCallsSendJsonToTheAdminEndpoints) {
  std::unique_ptr<Client> client = MakeClient();
  server_.set_handler([](const RecordedRequest& request, httplib::Response& reply) {
    reply.status = 200;
    if (request.api == "_otsd/admin/SplitShard") {
      reply.set_content(R"({"children":["s2","s3"]})", "application/json");
    } else if (request.api == "_otsd/admin/MergeShards") {
      reply.set_content(R"({"child":"s4"})", "application/json");
    } else {
      reply.set_content(R"({"shards_trimmed":2,"shards_removed":1})", "application/json");
    }
  });
  Result<std::vector<std::string>> children =
      client->AdminSplitShard("t", "s1", wire::Value::String("m"));
  ASSERT_TRUE(children.ok()) << children.status().ToString();
  EXPECT_EQ(*children, (std::vector<std::string>{"s2", "s3"}));
  ASSERT_TRUE(client->AdminSplitShard("t", "s1", wire::Value::Binary("\x01\x02")).ok());
  ASSERT_TRUE(client->AdminSplitShard("t", "s1", wire::Value::Integer(42)).ok());
  Result<std::string> child = client->AdminMergeShards("t", "s2", "s3");
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_EQ(*child, "s4");
  Result<AdminTrimResult> trim = client->AdminTrimStreams();
  ASSERT_TRUE(trim.ok()) << trim.status().ToString();
  EXPECT_EQ(trim->shards_trimmed, 2u);
  EXPECT_EQ(trim->shards_removed, 1u);
  EXPECT_EQ(client->AdminSplitShard("t", "s1", wire::Value::Double(1.5)).status().code(),
            StatusCode::kInvalidArgument);

  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].body, R"({"key":"m","shard_id":"s1","table":"t"})");
  EXPECT_EQ(requests[1].body, R"({"key":"AQI=","shard_id":"s1","table":"t"})");
  EXPECT_EQ(requests[2].body, R"({"key":42,"shard_id":"s1","table":"t"})");
  EXPECT_EQ(requests[3].body, R"({"shard_a":"s2","shard_b":"s3","table":"t"})");
  EXPECT_EQ(requests[4].api, "_otsd/admin/Trim");
  EXPECT_EQ(requests[4].body, "{}");
  EXPECT_FALSE(requests[0].ots_headers["x-ots-signature"].empty());
}

TEST_F(ClientTest, AnAdminCallWithoutAnAdminKeyIsAuthFailedAndNotRetried) {
  std::unique_ptr<Client> client = MakeClient(/*max_retries=*/3);
  server_.set_handler([](const RecordedRequest&, httplib::Response& reply) {
    ReplyError(403, "OTSAuthFailed",
               "The admin operations require a request signed with an admin key.", reply);
  });
  Result<AdminTrimResult> trim = client->AdminTrimStreams();
  EXPECT_EQ(trim.status().code(), StatusCode::kAuthFailed);
  EXPECT_EQ(CountRequests("_otsd/admin/Trim"), 1u);
}

}  // namespace
}  // namespace otsync::client
