// The stream APIs and the admin endpoints over real HTTP, against a real store whose clock is a
// ManualClock (request dates are still checked against the real clock).
#include "server/stream_handlers.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/admin_handlers.h"
#include "server/authenticator.h"
#include "server/credentials.h"
#include "server/ots_service.h"
#include "server/request_dispatcher.h"
#include "server/testing/in_process_otsd.h"
#include "store/store.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

constexpr int64_t kHourMicros = int64_t{3600} * 1'000'000;

class StreamHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(DefaultClock()->NowMicros());
    InProcessOtsdOptions options;
    options.store.clock = clock_;
    options.store.trim_interval = std::chrono::milliseconds(0);
    read_ahead_ = options.dispatcher.stream_read_ahead;
    options.threads = 2;
    Result<std::unique_ptr<InProcessOtsd>> otsd = InProcessOtsd::Start(std::move(options));
    ASSERT_TRUE(otsd.ok()) << otsd.status().ToString();
    otsd_ = std::move(otsd).value();
  }

  template <typename Response>
  Response Call(const std::string& api, const google::protobuf::Message& request) {
    PostAnswer answer = otsd_->Post(api, request.SerializeAsString());
    EXPECT_EQ(answer.status, 200) << api << ": " << ErrorOf(answer).code() << " "
                                  << ErrorOf(answer).message();
    Response response;
    EXPECT_TRUE(response.ParseFromString(answer.body)) << api;
    return response;
  }

  PostAnswer Admin(std::string_view api, const nlohmann::json& body,
                   const std::string& key_id = kDevelopmentAdminKeyId,
                   const std::string& secret = kDevelopmentAdminSecret) {
    return otsd_->Post(api, body.dump(), key_id, secret);
  }

  static proto::Error ErrorOf(const PostAnswer& answer) {
    proto::Error error;
    error.ParseFromString(answer.body);
    return error;
  }

  // StringKeyTableRequest(name) with, when `expiration_hours` is not 0, a stream spec of that
  // expiration (for the server to validate).
  PostAnswer CreateTable(const std::string& name, int32_t expiration_hours) {
    proto::CreateTableRequest request = StringKeyTableRequest(name);
    if (expiration_hours != 0) {
      request.mutable_stream_spec()->set_enable_stream(true);
      request.mutable_stream_spec()->set_expiration_time(expiration_hours);
    }
    return otsd_->Post("CreateTable", request.SerializeAsString());
  }

  static proto::PutRowRequest PutRowRequest(const std::string& table, const std::string& key,
                                            const std::string& value) {
    wire::Row row;
    row.primary_key = {{"pk", wire::Value::String(key)}};
    row.cells = {{"c", wire::Value::String(value), std::nullopt, {}}};
    proto::PutRowRequest put;
    put.set_table_name(table);
    put.set_row(wire::EncodeRow(row));
    put.mutable_condition()->set_row_existence(proto::IGNORE);
    return put;
  }

  void PutRow(const std::string& table, const std::string& key, const std::string& value) {
    Call<proto::PutRowResponse>("PutRow", PutRowRequest(table, key, value));
  }

  void DeleteRow(const std::string& table, const std::string& key) {
    proto::DeleteRowRequest del;
    del.set_table_name(table);
    wire::Row row;
    row.primary_key = {{"pk", wire::Value::String(key)}};
    row.delete_marker = true;
    del.set_primary_key(wire::EncodeRow(row));
    del.mutable_condition()->set_row_existence(proto::IGNORE);
    Call<proto::DeleteRowResponse>("DeleteRow", del);
  }

  std::string StreamIdOf(const std::string& table) {
    proto::ListStreamRequest request;
    request.set_table_name(table);
    auto response = Call<proto::ListStreamResponse>("ListStream", request);
    EXPECT_EQ(response.streams_size(), 1);
    return response.streams_size() == 1 ? response.streams(0).stream_id() : "";
  }

  proto::DescribeStreamResponse DescribeStream(const std::string& stream_id) {
    proto::DescribeStreamRequest request;
    request.set_stream_id(stream_id);
    return Call<proto::DescribeStreamResponse>("DescribeStream", request);
  }

  std::string Iterator(const std::string& stream_id, const std::string& shard_id,
                       std::optional<int64_t> timestamp = std::nullopt) {
    proto::GetShardIteratorRequest request;
    request.set_stream_id(stream_id);
    request.set_shard_id(shard_id);
    if (timestamp.has_value()) request.set_timestamp(*timestamp);
    return Call<proto::GetShardIteratorResponse>("GetShardIterator", request).shard_iterator();
  }

  PostAnswer GetRecords(const std::string& iterator, std::optional<int32_t> limit = std::nullopt) {
    proto::GetStreamRecordRequest request;
    request.set_shard_iterator(iterator);
    if (limit.has_value()) request.set_limit(*limit);
    return otsd_->Post("GetStreamRecord", request.SerializeAsString());
  }

  // The keys of every record from `iterator` to the end of what is there; `closed` tells
  // whether the shard ended (no next iterator) rather than caught up.
  std::vector<std::string> ReadKeys(std::string iterator, bool* closed) {
    std::vector<std::string> keys;
    for (;;) {
      PostAnswer answer = GetRecords(iterator, 2);
      EXPECT_EQ(answer.status, 200) << ErrorOf(answer).message();
      proto::GetStreamRecordResponse response;
      if (answer.status != 200 || !response.ParseFromString(answer.body)) break;
      // The hand-written encoding is byte for byte the generated class's.
      EXPECT_EQ(response.SerializeAsString(), answer.body);
      for (const auto& record : response.stream_records()) {
        Result<wire::Row> row = wire::DecodeRow(record.record());
        EXPECT_TRUE(row.ok()) << row.status().ToString();
        if (row.ok()) keys.push_back(row->primary_key.at(0).value.bytes());
      }
      if (!response.has_next_shard_iterator()) {
        *closed = true;
        return keys;
      }
      if (response.stream_records_size() == 0) {
        EXPECT_EQ(response.next_shard_iterator(), iterator);
        *closed = false;
        return keys;
      }
      iterator = response.next_shard_iterator();
    }
    return keys;
  }

  // Waits until the read-ahead worker has run `count` jobs in all.
  void WaitForJobs(uint64_t count) { ASSERT_EQ(WaitForReadAheadJobs(*read_ahead_, count), count); }

  // A service on the same store without read-ahead: what a fresh read answers at that moment.
  std::unique_ptr<OtsService> ServiceWithoutReadAhead() {
    DispatcherOptions no_read_ahead;
    no_read_ahead.stream_read_ahead = nullptr;
    return std::make_unique<OtsService>(otsd_->store(), otsd_->authenticator(),
                                        MakeDefaultDispatcher(no_read_ahead), DefaultClock());
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<InProcessOtsd> otsd_;
  // Declared after otsd_, so released first: the service's dispatcher then holds the last
  // reference and stops the worker before the store closes.
  std::shared_ptr<ReadAhead> read_ahead_;
};

TEST_F(StreamHandlersTest, EnableWriteAndReadTheStream) {
  const int64_t created = clock_->NowMicros();
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  proto::DescribeTableRequest describe_table;
  describe_table.set_table_name("t");
  auto table = Call<proto::DescribeTableResponse>("DescribeTable", describe_table);
  ASSERT_TRUE(table.stream_details().enable_stream());
  EXPECT_EQ(table.stream_details().expiration_time(), 24);
  EXPECT_EQ(table.stream_details().last_enable_time(), created);
  const std::string stream_id = table.stream_details().stream_id();
  EXPECT_EQ(StreamIdOf("t"), stream_id);
  auto all = Call<proto::ListStreamResponse>("ListStream", proto::ListStreamRequest());
  ASSERT_EQ(all.streams_size(), 1);
  EXPECT_EQ(all.streams(0).table_name(), "t");
  EXPECT_EQ(all.streams(0).creation_time(), created);

  auto described = DescribeStream(stream_id);
  EXPECT_EQ(described.stream_status(), proto::STREAM_ACTIVE);
  EXPECT_EQ(described.expiration_time(), 24);
  EXPECT_EQ(described.table_name(), "t");
  EXPECT_EQ(described.creation_time(), created);
  ASSERT_EQ(described.shards_size(), 1);
  EXPECT_FALSE(described.shards(0).has_parent_id());
  EXPECT_FALSE(described.has_next_shard_id());

  PutRow("t", "a", "1");
  clock_->AdvanceMicros(1000);
  const int64_t second_write = clock_->NowMicros();
  PutRow("t", "b", "2");
  DeleteRow("t", "a");

  const std::string iterator = Iterator(stream_id, described.shards(0).shard_id());
  PostAnswer first = GetRecords(iterator, 2);
  ASSERT_EQ(first.status, 200) << ErrorOf(first).message();
  proto::GetStreamRecordResponse page;
  ASSERT_TRUE(page.ParseFromString(first.body));
  ASSERT_EQ(page.stream_records_size(), 2);
  EXPECT_TRUE(page.may_more_record());
  EXPECT_TRUE(page.consumed().capacity_unit().has_read());
  EXPECT_TRUE(page.consumed().capacity_unit().has_write());
  EXPECT_EQ(page.stream_records(0).action_type(), proto::PUT_ROW);
  Result<wire::Row> row = wire::DecodeRow(page.stream_records(0).record());
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->primary_key.at(0).value, wire::Value::String("a"));
  ASSERT_EQ(row->cells.size(), 1u);
  EXPECT_EQ(row->cells[0].value, wire::Value::String("1"));
  EXPECT_TRUE(row->cells[0].timestamp.has_value());
  ASSERT_TRUE(row->sequence_info.has_value());
  EXPECT_EQ(row->sequence_info->timestamp, created);

  ASSERT_TRUE(page.has_next_shard_iterator());
  PostAnswer second = GetRecords(page.next_shard_iterator());
  proto::GetStreamRecordResponse rest;
  ASSERT_TRUE(rest.ParseFromString(second.body));
  ASSERT_EQ(rest.stream_records_size(), 1);
  EXPECT_EQ(rest.stream_records(0).action_type(), proto::DELETE_ROW);
  Result<wire::Row> deleted = wire::DecodeRow(rest.stream_records(0).record());
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->cells.empty());
  EXPECT_FALSE(rest.may_more_record());

  // Caught up on an open shard: no records and the very same iterator back.
  PostAnswer caught_up = GetRecords(rest.next_shard_iterator());
  proto::GetStreamRecordResponse empty;
  ASSERT_TRUE(empty.ParseFromString(caught_up.body));
  EXPECT_EQ(empty.stream_records_size(), 0);
  EXPECT_EQ(empty.next_shard_iterator(), rest.next_shard_iterator());
  EXPECT_FALSE(empty.may_more_record());

  // An iterator from a timestamp (µs) skips what came before.
  bool closed = true;
  EXPECT_EQ(ReadKeys(Iterator(stream_id, described.shards(0).shard_id(), second_write), &closed),
            (std::vector<std::string>{"b", "a"}));
  EXPECT_FALSE(closed);
}

// otsd encodes GetStreamRecordResponse by hand from the store's record bytes: the body must be
// exactly what the generated class serializes for the same records (multi-byte lengths, every
// action, a caught-up page, a closed shard's last page without next_shard_iterator).
TEST_F(StreamHandlersTest, HandEncodedRecordsAreTheGeneratedSerialization) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  PutRow("t", "a", "");
  PutRow("t", "b", std::string(200, 'x'));     // Record lengths past one varint byte...
  PutRow("t", "c", std::string(20'000, 'y'));  // ... and past two.
  DeleteRow("t", "a");
  proto::UpdateRowRequest update;
  update.set_table_name("t");
  wire::Row change;
  change.primary_key = {{"pk", wire::Value::String("b")}};
  change.cells = {{"c", std::nullopt, std::nullopt, wire::CellOperation::kDeleteAllVersions}};
  update.set_row_change(wire::EncodeRow(change));
  update.mutable_condition()->set_row_existence(proto::IGNORE);
  Call<proto::UpdateRowResponse>("UpdateRow", update);

  // The reference: the generated class filled from the store's copying read of the same page.
  auto expect_generated = [&](const std::string& iterator, int32_t limit,
                              const PostAnswer& answer) {
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    Result<store::StreamRecordBatch> batch =
        otsd_->store()->GetStreamRecord(kDevelopmentInstance, iterator, limit);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    proto::GetStreamRecordResponse expected;
    size_t bytes = 0;
    for (const store::StreamRecord& record : batch->records) {
      auto* out = expected.add_stream_records();
      out->set_action_type(static_cast<proto::ActionType>(record.action));
      out->set_record(record.record);
      bytes += record.record.size();
    }
    // The iterator codec is deterministic, so the two reads name the same next position.
    if (batch->next_shard_iterator.has_value()) {
      expected.set_next_shard_iterator(*batch->next_shard_iterator);
    }
    expected.set_may_more_record(batch->may_more_record);
    expected.mutable_consumed()->mutable_capacity_unit()->set_read(
        static_cast<int32_t>(std::max<size_t>(1, (bytes + 4095) / 4096)));
    expected.mutable_consumed()->mutable_capacity_unit()->set_write(0);
    ASSERT_TRUE(expected.IsInitialized());
    EXPECT_EQ(answer.body, expected.SerializeAsString());
    proto::GetStreamRecordResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(answer.body)) << "required fields missing or bad bytes";
  };

  std::string iterator = Iterator(stream_id, shard);
  size_t seen = 0;
  for (int page = 0; page < 10; ++page) {
    PostAnswer answer = GetRecords(iterator, 2);
    expect_generated(iterator, 2, answer);
    proto::GetStreamRecordResponse response;
    ASSERT_TRUE(response.ParseFromString(answer.body));
    seen += response.stream_records_size();
    if (response.stream_records_size() == 0) break;
    iterator = response.next_shard_iterator();
  }
  EXPECT_EQ(seen, 5u);

  // A closed shard read to its end: no next_shard_iterator.
  ASSERT_TRUE(otsd_->store()
                  ->SplitStreamShard(kDevelopmentInstance, "t", shard, wire::Value::String("m"))
                  .ok());
  const std::string from_start = Iterator(stream_id, shard);
  PostAnswer whole = GetRecords(from_start, 1000);
  expect_generated(from_start, 1000, whole);
  proto::GetStreamRecordResponse closed;
  ASSERT_TRUE(closed.ParseFromString(whole.body));
  EXPECT_EQ(closed.stream_records_size(), 5);
  EXPECT_FALSE(closed.has_next_shard_iterator());
}

// Answers large enough for their MD5 to be hashed by a helper while they are built (otsd without
// read-ahead), and grown twice on the way (a Release each time), carry the MD5 of their own body,
// as do the same answers from otsd with read-ahead (hashed after their build). Whether a helper
// took part depends on how fast it woke up; that helpers do take offered bytes is
// ConcurrentContentMd5Test's.
TEST_F(StreamHandlersTest, LargeAnswersCarryTheMd5OfTheirBody) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  for (int row = 0; row < 60; ++row) {
    PutRow("t", "k" + std::to_string(1000 + row), std::string(12'000 + row, 'a' + row % 26));
  }
  const std::unique_ptr<OtsService> plain = ServiceWithoutReadAhead();
  std::string iterator = Iterator(stream_id, shard);
  int records = 0;
  for (int answer_number = 0; answer_number < 4; ++answer_number) {
    proto::GetStreamRecordRequest request;
    request.set_shard_iterator(iterator);
    request.set_limit(20);  // ~240 KB an answer.
    const std::string request_body = request.SerializeAsString();
    const Reply fresh =
        plain->Handle({"POST", "/GetStreamRecord",
                       SignedRequestHeaders("GetStreamRecord", request_body), request_body});
    ASSERT_EQ(fresh.http_status, 200);
    EXPECT_EQ(fresh.headers.at("x-ots-contentmd5"), wire::ContentMd5(fresh.body))
        << "answer " << answer_number;

    PostAnswer answer = otsd_->Post("GetStreamRecord", request_body);
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    EXPECT_EQ(answer.body, fresh.body) << "answer " << answer_number;
    auto md5 = answer.headers.find("x-ots-contentmd5");
    ASSERT_NE(md5, answer.headers.end());
    EXPECT_EQ(md5->second, wire::ContentMd5(answer.body)) << "answer " << answer_number;

    proto::GetStreamRecordResponse response;
    ASSERT_TRUE(response.ParseFromString(answer.body));
    records += response.stream_records_size();
    if (response.stream_records_size() == 0) break;
    iterator = response.next_shard_iterator();
  }
  EXPECT_EQ(records, 60);
}

TEST_F(StreamHandlersTest, StreamSpecIsValidatedAndUpdateTableReportsTheStream) {
  PostAnswer too_long = CreateTable("bad", 169);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(ErrorOf(too_long).code(), "OTSParameterInvalid");
  EXPECT_EQ(CreateTable("bad", -1).status, 400);

  ASSERT_EQ(CreateTable("t", 0).status, 200);
  auto none = Call<proto::ListStreamResponse>("ListStream", proto::ListStreamRequest());
  EXPECT_EQ(none.streams_size(), 0);
  proto::ListStreamRequest unknown;
  unknown.set_table_name("nope");
  EXPECT_EQ(otsd_->Post("ListStream", unknown.SerializeAsString()).status, 404);

  proto::UpdateTableRequest update;
  update.set_table_name("t");
  update.mutable_stream_spec()->set_enable_stream(true);
  update.mutable_stream_spec()->set_expiration_time(0);
  PostAnswer zero = otsd_->Post("UpdateTable", update.SerializeAsString());
  EXPECT_EQ(zero.status, 400);
  EXPECT_EQ(ErrorOf(zero).code(), "OTSParameterInvalid");
  update.mutable_stream_spec()->set_expiration_time(168);
  auto updated = Call<proto::UpdateTableResponse>("UpdateTable", update);
  ASSERT_TRUE(updated.stream_details().enable_stream());
  EXPECT_EQ(updated.stream_details().expiration_time(), 168);
  EXPECT_EQ(updated.stream_details().stream_id(), StreamIdOf("t"));
  EXPECT_GT(updated.stream_details().last_enable_time(), 0);

  update.mutable_stream_spec()->set_enable_stream(false);
  update.mutable_stream_spec()->clear_expiration_time();
  auto disabled = Call<proto::UpdateTableResponse>("UpdateTable", update);
  EXPECT_FALSE(disabled.stream_details().enable_stream());
  EXPECT_FALSE(disabled.stream_details().has_stream_id());
  proto::DescribeStreamRequest gone;
  gone.set_stream_id(updated.stream_details().stream_id());
  PostAnswer gone_answer = otsd_->Post("DescribeStream", gone.SerializeAsString());
  EXPECT_EQ(gone_answer.status, 404);
  EXPECT_EQ(ErrorOf(gone_answer).code(), "OTSObjectNotExist");
}

TEST_F(StreamHandlersTest, AdminSplitAndMergeOverHttp) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string parent = DescribeStream(stream_id).shards(0).shard_id();
  PutRow("t", "a", "1");

  PostAnswer split =
      Admin(kAdminSplitShardApi, {{"table", "t"}, {"shard_id", parent}, {"key", "m"}});
  ASSERT_EQ(split.status, 200) << ErrorOf(split).message();
  const nlohmann::json children = nlohmann::json::parse(split.body)["children"];
  ASSERT_EQ(children.size(), 2u);
  PutRow("t", "b", "2");
  PutRow("t", "x", "3");

  auto described = DescribeStream(stream_id);
  ASSERT_EQ(described.shards_size(), 3);
  EXPECT_EQ(described.shards(1).parent_id(), parent);
  EXPECT_EQ(described.shards(2).parent_id(), parent);
  EXPECT_FALSE(described.shards(1).has_parent_sibling_id());
  proto::DescribeStreamRequest paged;
  paged.set_stream_id(stream_id);
  paged.set_shard_limit(2);
  auto first_page = Call<proto::DescribeStreamResponse>("DescribeStream", paged);
  ASSERT_EQ(first_page.shards_size(), 2);
  ASSERT_TRUE(first_page.has_next_shard_id());
  paged.set_inclusive_start_shard_id(first_page.next_shard_id());
  auto second_page = Call<proto::DescribeStreamResponse>("DescribeStream", paged);
  ASSERT_EQ(second_page.shards_size(), 1);
  EXPECT_EQ(second_page.shards(0).shard_id(), described.shards(2).shard_id());
  EXPECT_FALSE(second_page.has_next_shard_id());

  bool closed = false;
  EXPECT_EQ(ReadKeys(Iterator(stream_id, parent), &closed), std::vector<std::string>{"a"});
  EXPECT_TRUE(closed) << "a closed, fully read parent has no next iterator";
  EXPECT_EQ(ReadKeys(Iterator(stream_id, children[0]), &closed), std::vector<std::string>{"b"});
  EXPECT_FALSE(closed);
  EXPECT_EQ(ReadKeys(Iterator(stream_id, children[1]), &closed), std::vector<std::string>{"x"});

  PostAnswer merge = Admin(kAdminMergeShardsApi,
                           {{"table", "t"}, {"shard_a", children[1]}, {"shard_b", children[0]}});
  ASSERT_EQ(merge.status, 200) << ErrorOf(merge).message();
  const std::string child = nlohmann::json::parse(merge.body)["child"];
  described = DescribeStream(stream_id);
  ASSERT_EQ(described.shards_size(), 4);
  EXPECT_EQ(described.shards(3).shard_id(), child);
  EXPECT_EQ(described.shards(3).parent_id(), children[0]);
  EXPECT_EQ(described.shards(3).parent_sibling_id(), children[1]);

  PostAnswer bad_key =
      Admin(kAdminSplitShardApi, {{"table", "t"}, {"shard_id", child}, {"key", 5}});
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(ErrorOf(bad_key).code(), "OTSParameterInvalid");
  EXPECT_EQ(
      otsd_->Post(kAdminSplitShardApi, "not json", kDevelopmentAdminKeyId, kDevelopmentAdminSecret)
          .status,
      400);
}

TEST_F(StreamHandlersTest, AdminEndpointsNeedAnAdminSignature) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string parent = DescribeStream(StreamIdOf("t")).shards(0).shard_id();
  const nlohmann::json body = {{"table", "t"}, {"shard_id", parent}, {"key", "m"}};
  PostAnswer user = Admin(kAdminSplitShardApi, body, kDevelopmentKeyId, kDevelopmentSecret);
  EXPECT_EQ(user.status, 403);
  EXPECT_EQ(ErrorOf(user).code(), "OTSAuthFailed");
  PostAnswer forged = Admin(kAdminSplitShardApi, body, kDevelopmentAdminKeyId, kDevelopmentSecret);
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(ErrorOf(forged).message().find("secret"), std::string::npos);
  EXPECT_EQ(
      Admin(kAdminTrimApi, nlohmann::json::object(), kDevelopmentKeyId, kDevelopmentSecret).status,
      403);
  EXPECT_EQ(DescribeStream(StreamIdOf("t")).shards_size(), 1);
  // Not a public API name: nothing answers at the bare operation name.
  EXPECT_EQ(otsd_->Post("SplitShard", body.dump(), kDevelopmentAdminKeyId, kDevelopmentAdminSecret)
                .status,
            400);
}

// With --no-auth nothing is signed, so naming an admin key id grants nothing.
TEST_F(StreamHandlersTest, NoAuthModeHasNoAdmin) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  AuthOptions no_auth;
  no_auth.verify = false;
  const Authenticator unverified(DevelopmentCredentials(), DefaultClock(), no_auth);
  const OtsService service(otsd_->store(), &unverified, MakeDefaultDispatcher(), DefaultClock());
  const std::string body = nlohmann::json{{"table", "t"}}.dump();
  IncomingRequest request;
  request.method = "POST";
  const std::string path = "/" + std::string(kAdminTrimApi);
  request.path = path;
  request.headers = {{"x-ots-instancename", kDevelopmentInstance},
                     {"x-ots-accesskeyid", kDevelopmentAdminKeyId}};
  request.body = body;
  Reply reply = service.Handle(request);
  EXPECT_EQ(reply.http_status, 403);
  proto::Error error;
  ASSERT_TRUE(error.ParseFromString(reply.body));
  EXPECT_EQ(error.code(), "OTSAuthFailed");
}

TEST_F(StreamHandlersTest, ForgedAndTrimmedIterators) {
  ASSERT_EQ(CreateTable("t", 1).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  PutRow("t", "a", "1");
  const std::string iterator = Iterator(stream_id, shard);

  // An iterator otsd did not issue names no data, as a trimmed one.
  PostAnswer garbage = GetRecords("not-an-iterator");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(ErrorOf(garbage).code(), "OTSTrimmedDataAccess");
  EXPECT_EQ(ErrorOf(garbage).message(),
            "Requested stream data is already trimmed or does not exist.");
  std::string tampered = iterator;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  PostAnswer forged = GetRecords(tampered);
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(ErrorOf(forged).code(), "OTSTrimmedDataAccess");
  EXPECT_EQ(GetRecords(iterator, 0).status, 400);

  clock_->AdvanceMicros(kHourMicros + 1000);
  PutRow("t", "b", "2");
  PostAnswer trim = Admin(kAdminTrimApi, nlohmann::json::object());
  ASSERT_EQ(trim.status, 200) << ErrorOf(trim).message();
  EXPECT_EQ(nlohmann::json::parse(trim.body)["shards_trimmed"], 1);
  PostAnswer trimmed = GetRecords(iterator);
  EXPECT_EQ(trimmed.status, 400);
  EXPECT_EQ(ErrorOf(trimmed).code(), "OTSTrimmedDataAccess");
  EXPECT_EQ(ErrorOf(trimmed).message(), store::kTrimmedDataMessage);
  bool closed = true;
  EXPECT_EQ(ReadKeys(Iterator(stream_id, shard), &closed), std::vector<std::string>{"b"});
}

// With read-ahead, the answer to a reader's next call is prepared while the reader works on the
// current one. Every answer must be byte for byte (and MD5 for MD5) what a server without
// read-ahead computes at that moment.
TEST_F(StreamHandlersTest, ReadAheadAnswersAreTheAnswersOfAFreshRead) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  for (int i = 0; i < 9; ++i) PutRow("t", "k" + std::to_string(i), std::string(100 + i, 'v'));

  const std::unique_ptr<OtsService> plain = ServiceWithoutReadAhead();
  std::string iterator = Iterator(stream_id, shard);
  std::vector<std::string> keys;
  uint64_t jobs = 0;
  for (int call = 0; call < 5; ++call) {
    proto::GetStreamRecordRequest request;
    request.set_shard_iterator(iterator);
    request.set_limit(2);
    const std::string request_body = request.SerializeAsString();
    IncomingRequest direct{"POST", "/GetStreamRecord",
                           SignedRequestHeaders("GetStreamRecord", request_body), request_body};
    const Reply fresh = plain->Handle(direct);
    ASSERT_EQ(fresh.http_status, 200);

    PostAnswer answer = otsd_->Post("GetStreamRecord", request_body);
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    EXPECT_EQ(answer.body, fresh.body) << "call " << call;
    proto::GetStreamRecordResponse response;
    ASSERT_TRUE(response.ParseFromString(answer.body));
    for (const auto& record : response.stream_records()) {
      Result<wire::Row> row = wire::DecodeRow(record.record());
      ASSERT_TRUE(row.ok());
      keys.push_back(row->primary_key.at(0).value.bytes());
    }
    // A full answer (2 records) has its successor prepared before the next call is made.
    if (response.stream_records_size() == 2) WaitForJobs(++jobs);
    iterator = response.next_shard_iterator();
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"}));
  // Calls 2-4 were served prepared; the 5th (one record) was not worth keeping ahead.
  EXPECT_EQ(read_ahead_->answers_taken(), 3u);

  // The headers of a prepared answer carry its MD5, computed ahead with the body.
  proto::GetStreamRecordResponse head;
  ASSERT_TRUE(head.ParseFromString(GetRecords(Iterator(stream_id, shard), 4).body));
  WaitForJobs(++jobs);
  proto::GetStreamRecordRequest next;
  next.set_shard_iterator(head.next_shard_iterator());
  next.set_limit(4);
  const std::string next_body = next.SerializeAsString();
  httplib::Result prepared = PostSigned(otsd_->client(), "GetStreamRecord", next_body);
  ASSERT_TRUE(prepared);
  ASSERT_EQ(prepared->status, 200);
  EXPECT_EQ(read_ahead_->answers_taken(), 4u);
  EXPECT_EQ(prepared->get_header_value("x-ots-contentmd5"), wire::ContentMd5(prepared->body));
}

// A caller that says it does not check the MD5 (as otsync's stream reader does) gets answers
// without x-ots-contentmd5, prepared or not; any other caller gets the right one on every answer,
// also on an answer the read-ahead prepared, unhashed, for an unchecking caller.
TEST_F(StreamHandlersTest, AnswersGoWithoutTheMd5OnlyToACallerThatDoesNotCheckIt) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  // 11 rows: each of the five calls below gets a full answer of 2, and prepares the next.
  for (int i = 0; i < 11; ++i) PutRow("t", "k" + std::to_string(i), std::string(100 + i, 'v'));

  const std::unique_ptr<OtsService> plain = ServiceWithoutReadAhead();
  // Through otsd's HTTP front, which must hand the header on to the service.
  auto post = [&](const std::string& body, std::optional<std::string_view> check) {
    wire::HeaderMap headers = SignedRequestHeaders("GetStreamRecord", body);
    if (check) headers.emplace(wire::kContentMd5CheckHeader, *check);
    return otsd_->client().Post("/GetStreamRecord",
                                httplib::Headers(headers.begin(), headers.end()), body.data(),
                                body.size(), "application/octet-stream");
  };
  auto request_body = [](const std::string& iterator) {
    proto::GetStreamRecordRequest request;
    request.set_shard_iterator(iterator);
    request.set_limit(2);
    return request.SerializeAsString();
  };

  // calls 0-2 unchecked (1 and 2 served prepared), 3 checked (prepared after the unchecked call
  // 2, so without its MD5), 4 with a value that is not "unchecked".
  const std::vector<std::optional<std::string_view>> checks = {
      wire::kContentMd5Unchecked, wire::kContentMd5Unchecked, wire::kContentMd5Unchecked,
      std::nullopt, "checked"};
  std::string iterator = Iterator(stream_id, shard);
  uint64_t jobs = 0;
  for (size_t call = 0; call < checks.size(); ++call) {
    const std::string body = request_body(iterator);
    const Reply fresh = plain->Handle(
        {"POST", "/GetStreamRecord", SignedRequestHeaders("GetStreamRecord", body), body});
    ASSERT_EQ(fresh.http_status, 200);

    httplib::Result answer = post(body, checks[call]);
    ASSERT_TRUE(answer) << "call " << call;
    ASSERT_EQ(answer->status, 200) << "call " << call;
    EXPECT_EQ(answer->body, fresh.body) << "call " << call;
    if (checks[call] == wire::kContentMd5Unchecked) {
      EXPECT_FALSE(answer->has_header("x-ots-contentmd5")) << "call " << call;
    } else {
      EXPECT_EQ(answer->get_header_value("x-ots-contentmd5"), wire::ContentMd5(answer->body))
          << "call " << call;
    }
    EXPECT_TRUE(answer->has_header("authorization")) << "call " << call;
    proto::GetStreamRecordResponse response;
    ASSERT_TRUE(response.ParseFromString(answer->body));
    ASSERT_EQ(response.stream_records_size(), 2) << "call " << call;
    WaitForJobs(++jobs);
    iterator = response.next_shard_iterator();
  }
  EXPECT_EQ(read_ahead_->answers_taken(), 4u);
}

// A prepared answer is dropped once the stream changed under it: a trim that removed its
// records turns the next call into OTSTrimmedDataAccess, as a fresh read would.
TEST_F(StreamHandlersTest, ReadAheadIsNotServedAfterATrim) {
  ASSERT_EQ(CreateTable("t", 1).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  for (const char* key : {"a", "b", "c"}) PutRow("t", key, "1");
  proto::GetStreamRecordResponse first;
  ASSERT_TRUE(first.ParseFromString(GetRecords(Iterator(stream_id, shard), 1).body));
  ASSERT_EQ(first.stream_records_size(), 1);
  WaitForJobs(1);

  clock_->AdvanceMicros(kHourMicros + 1000);
  PutRow("t", "d", "2");
  ASSERT_EQ(Admin(kAdminTrimApi, nlohmann::json::object()).status, 200);
  PostAnswer after_trim = GetRecords(first.next_shard_iterator(), 1);
  EXPECT_EQ(after_trim.status, 400);
  EXPECT_EQ(ErrorOf(after_trim).code(), "OTSTrimmedDataAccess");
  // The prepared answer was there and taken, then refused for its stale state version.
  EXPECT_EQ(read_ahead_->answers_taken(), 1u);
}

// An answer that did not fill its limit on an open shard could grow by the next append, so it is
// never kept ahead: the call made after the append sees the new record.
TEST_F(StreamHandlersTest, ReadAheadKeepsNoAnswerThatAnAppendWouldChange) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string shard = DescribeStream(stream_id).shards(0).shard_id();
  for (const char* key : {"a", "b", "c"}) PutRow("t", key, "1");
  proto::GetStreamRecordResponse first;
  ASSERT_TRUE(first.ParseFromString(GetRecords(Iterator(stream_id, shard), 2).body));
  ASSERT_EQ(first.stream_records_size(), 2);
  WaitForJobs(1);  // Prepared "c" alone: not kept.

  PutRow("t", "d", "2");
  bool closed = true;
  PostAnswer answer = GetRecords(first.next_shard_iterator(), 2);
  proto::GetStreamRecordResponse second;
  ASSERT_TRUE(second.ParseFromString(answer.body));
  ASSERT_EQ(second.stream_records_size(), 2);
  EXPECT_EQ(wire::DecodeRow(second.stream_records(1).record())->primary_key.at(0).value,
            wire::Value::String("d"));
  EXPECT_EQ(read_ahead_->answers_taken(), 0u);
  EXPECT_EQ(ReadKeys(second.next_shard_iterator(), &closed), std::vector<std::string>{});
}

// A reader tailing a shard while a writer appends, with read-ahead on: every record exactly once
// and in commit order, whether an answer was prepared ahead, computed on the spot, or cut short
// by catching up.
TEST_F(StreamHandlersTest, ReadAheadWhileTailingAShardUnderWrites) {
  ASSERT_EQ(CreateTable("t", 24).status, 200);
  const std::string stream_id = StreamIdOf("t");
  const std::string iterator = Iterator(stream_id, DescribeStream(stream_id).shards(0).shard_id());
  constexpr int kRows = 600;
  std::atomic<int> written{0};
  std::thread writer([&] {
    httplib::Client connection("127.0.0.1", otsd_->port());
    for (int i = 0; i < kRows; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%04d", i);
      httplib::Result result =
          PostSigned(connection, "PutRow", PutRowRequest("t", key, "v").SerializeAsString());
      ASSERT_TRUE(result && result->status == 200);
      written.fetch_add(1);
    }
  });
  // A backlog first, so that full answers (and prepared ones) come before the reader catches up.
  while (written.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::vector<std::string> keys;
  std::string position = iterator;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (keys.size() < static_cast<size_t>(kRows) && std::chrono::steady_clock::now() < deadline) {
    PostAnswer answer = GetRecords(position, 5);
    ASSERT_EQ(answer.status, 200) << ErrorOf(answer).message();
    proto::GetStreamRecordResponse response;
    ASSERT_TRUE(response.ParseFromString(answer.body));
    for (const auto& record : response.stream_records()) {
      Result<wire::Row> row = wire::DecodeRow(record.record());
      ASSERT_TRUE(row.ok());
      keys.push_back(row->primary_key.at(0).value.bytes());
    }
    ASSERT_TRUE(response.has_next_shard_iterator());
    if (response.stream_records_size() == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    position = response.next_shard_iterator();
  }
  writer.join();
  ASSERT_EQ(keys.size(), static_cast<size_t>(kRows));
  for (int i = 0; i < kRows; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%04d", i);
    ASSERT_EQ(keys[i], key) << "record " << i;
  }
  EXPECT_GT(read_ahead_->answers_taken(), 0u);
}

}  // namespace
}  // namespace otsync::server
