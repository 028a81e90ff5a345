// The real HTTP server on 127.0.0.1 port 0 with a real store in a temporary directory, driven
// by cpp-httplib's client with requests signed as the SDKs sign them.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/testing/in_process_otsd.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

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

}  // namespace
}  // namespace otsync::server
