// The real HTTP server on 127.0.0.1 port 0 with a real store in a temporary directory, driven
// by cpp-httplib's client with requests signed as the SDKs sign them.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/authenticator.h"
#include "server/credentials.h"
#include "server/ots_service.h"
#include "server/request_dispatcher.h"
#include "store/store.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

constexpr char kInstance[] = "local";
constexpr char kKeyId[] = "otsync-local-id";
constexpr char kSecret[] = "otsync-local-secret";

struct Answer {
  int status = 0;
  httplib::Headers headers;
  std::string body;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    data_dir_ = std::filesystem::temp_directory_path() /
                ("otsd_http_test_" + std::to_string(random()) + std::to_string(random()));
    store::StoreOptions store_options;
    store_options.path = data_dir_.string();
    store_options.clock = DefaultClock();
    auto store = store::Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    authenticator_ =
        std::make_unique<Authenticator>(DevelopmentCredentials(), DefaultClock(), AuthOptions{});
    service_ = std::make_unique<OtsService>(store_.get(), authenticator_.get(),
                                            MakeDefaultDispatcher(), DefaultClock());
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    auto server = HttpServer::Start(options, service_.get());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_keep_alive(true);
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    service_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }

  httplib::Headers SignedHeaders(const std::string& api, const std::string& body,
                                 const std::string& secret = kSecret) {
    wire::HeaderMap headers = {
        {"x-ots-date", wire::FormatIsoTime(DefaultClock()->NowMicros(), 3)},
        {"x-ots-apiversion", "2015-12-31"},
        {"x-ots-accesskeyid", kKeyId},
        {"x-ots-instancename", kInstance},
        {"x-ots-contentmd5", wire::ContentMd5(body)},
    };
    headers["x-ots-signature"] = wire::SignRequest(api, headers, secret);
    return httplib::Headers(headers.begin(), headers.end());
  }

  Answer Post(const std::string& api, const std::string& body,
              const std::string& secret = kSecret) {
    auto result = client_->Post(("/" + api).c_str(), SignedHeaders(api, body, secret), body,
                                "application/octet-stream");
    if (!result) return Answer{-1, {}, httplib::to_string(result.error())};
    return Answer{result->status, result->headers, result->body};
  }

  Answer Call(const std::string& api, const google::protobuf::Message& request) {
    return Post(api, request.SerializeAsString());
  }

  static proto::Error ErrorOf(const Answer& answer) {
    proto::Error error;
    EXPECT_TRUE(error.ParseFromString(answer.body)) << answer.status;
    return error;
  }

  // The response signature checks out against the caller's secret (as Java and Python check).
  static void ExpectSignedResponse(const std::string& api, const Answer& answer) {
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
    EXPECT_EQ(authorization, wire::SignResponse(api, x_ots, kKeyId, kSecret));
  }

  void CreateTable(const std::string& name) {
    proto::CreateTableRequest request;
    request.mutable_table_meta()->set_table_name(name);
    auto* pk = request.mutable_table_meta()->add_primary_key();
    pk->set_name("pk");
    pk->set_type(proto::STRING);
    request.mutable_reserved_throughput()->mutable_capacity_unit()->set_read(0);
    request.mutable_reserved_throughput()->mutable_capacity_unit()->set_write(0);
    request.mutable_table_options()->set_time_to_live(-1);
    request.mutable_table_options()->set_max_versions(1);
    Answer answer = Call("CreateTable", request);
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    ExpectSignedResponse("CreateTable", answer);
  }

  static wire::Row RowOf(const std::string& key, const std::string& value) {
    wire::Row row;
    row.primary_key = {{"pk", wire::Value::String(key)}};
    if (!value.empty()) row.cells = {{"c", wire::Value::String(value), std::nullopt, {}}};
    return row;
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<OtsService> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, CreatePutGetRoundTrip) {
  CreateTable("t");

  proto::PutRowRequest put;
  put.set_table_name("t");
  put.set_row(wire::EncodeRow(RowOf("a", "v")));
  put.mutable_condition()->set_row_existence(proto::IGNORE);
  Answer put_answer = Call("PutRow", put);
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
  Answer get_answer = Call("GetRow", get);
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
  Answer missing_answer = Call("GetRow", get);
  ASSERT_EQ(missing_answer.status, 200);
  proto::GetRowResponse missing_response;
  ASSERT_TRUE(missing_response.ParseFromString(missing_answer.body));
  EXPECT_TRUE(missing_response.has_row());
  EXPECT_TRUE(missing_response.row().empty());

  proto::DescribeTableRequest describe;
  describe.set_table_name("t");
  Answer describe_answer = Call("DescribeTable", describe);
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
  Answer answer = Post("BatchWriteRow", request.SerializePartialAsString());
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
  Answer answer = Call("BatchWriteRow", request);
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
  Answer first = Call("GetRange", range);
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
  Answer second = Call("GetRange", range);
  ASSERT_EQ(second.status, 200);
  proto::GetRangeResponse second_page;
  ASSERT_TRUE(second_page.ParseFromString(second.body));
  EXPECT_TRUE(second_page.next_start_primary_key().empty());

  range.set_limit(0);
  Answer bad_limit = Call("GetRange", range);
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
  Answer answer = Call("BatchGetRow", request);
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
  Answer updated = Call("UpdateTable", update);
  ASSERT_EQ(updated.status, 200) << ErrorOf(updated).message();
  proto::UpdateTableResponse update_response;
  ASSERT_TRUE(update_response.ParseFromString(updated.body));
  EXPECT_TRUE(update_response.has_stream_details());
  EXPECT_TRUE(update_response.table_options().has_deviation_cell_version_in_sec());

  proto::ComputeSplitPointsBySizeRequest split;
  split.set_table_name("t");
  split.set_split_size(1);
  Answer answer = Call("ComputeSplitPointsBySize", split);
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
  Answer wrong_type = Call("GetRow", get);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(ErrorOf(wrong_type).code(), "OTSInvalidPK");

  std::string corrupted = wire::EncodePrimaryKey(RowOf("a", "").primary_key);
  corrupted[corrupted.size() - 1] ^= 0x5a;
  get.set_primary_key(corrupted);
  Answer bad_checksum = Call("GetRow", get);
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
      httplib::Client client("127.0.0.1", server_->port());
      client.set_keep_alive(true);
      for (int i = 0; i < 25; ++i) {
        proto::PutRowRequest put;
        put.set_table_name("t");
        put.set_row(wire::EncodeRow(RowOf(std::to_string(t) + "-" + std::to_string(i), "v")));
        put.mutable_condition()->set_row_existence(proto::IGNORE);
        const std::string body = put.SerializeAsString();
        auto result =
            client.Post("/PutRow", SignedHeaders("PutRow", body), body, "application/octet-stream");
        if (!result || result->status != 200) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(HttpServerTest, NonPostMethodIs405) {
  auto result = client_->Get("/ListTable");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 405);
  proto::Error error;
  ASSERT_TRUE(error.ParseFromString(result->body));
  EXPECT_EQ(error.code(), "OTSMethodNotAllowed");
  EXPECT_TRUE(result->has_header("x-ots-requestid"));
}

TEST_F(HttpServerTest, UnknownApiIsUnsupportedOperation) {
  Answer answer = Post("NoSuchApi", "");
  EXPECT_EQ(answer.status, 400);
  proto::Error error = ErrorOf(answer);
  EXPECT_EQ(error.code(), "OTSParameterInvalid");
  EXPECT_EQ(error.message(), "Unsupported operation: NoSuchApi.");
}

TEST_F(HttpServerTest, BadSignatureIs403WithoutAuthorization) {
  Answer answer = Post("ListTable", "", "not-the-secret");
  EXPECT_EQ(answer.status, 403);
  proto::Error error = ErrorOf(answer);
  EXPECT_EQ(error.code(), "OTSAuthFailed");
  EXPECT_EQ(error.message(), "Signature mismatch.");
  EXPECT_EQ(answer.headers.count("authorization"), 0u);
  EXPECT_EQ(answer.body.find(kSecret), std::string::npos);
}

TEST_F(HttpServerTest, TruncatedBodyIs400AndTheServerKeepsServing) {
  proto::DescribeTableRequest request;
  request.set_table_name("a_table_name_long_enough_to_cut");
  const std::string body = request.SerializeAsString();
  Answer answer = Post("DescribeTable", body.substr(0, body.size() - 5));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSParameterInvalid");
  ExpectSignedResponse("DescribeTable", answer);

  for (int i = 0; i < 20; ++i) {
    Answer list = Post("ListTable", "");
    ASSERT_EQ(list.status, 200) << i;
  }
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  const std::string body(kMaxRequestBodyBytes + 1, 'x');
  Answer answer = Post("PutRow", body);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSRequestBodyTooLarge");
  Answer list = Post("ListTable", "");
  EXPECT_EQ(list.status, 200);
}

TEST_F(HttpServerTest, MissingTableIs404) {
  proto::DescribeTableRequest request;
  request.set_table_name("nope");
  Answer answer = Call("DescribeTable", request);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(ErrorOf(answer).code(), "OTSObjectNotExist");
  ExpectSignedResponse("DescribeTable", answer);
}

}  // namespace
}  // namespace otsync::server
