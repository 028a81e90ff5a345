// otsd's request path from raw bytes: the first byte picks the API, the rest is the request body
// as the HTTP front hands it over (protobuf parse -> model -> store). One store on a temporary
// directory serves every input; after an input that changed it, the fixture (table "t",
// primary key pk STRING, with a stream and rows "a", "b", "c") is put back, so that each input
// meets the same state and a finding reproduces on its own.
//
// Stream ids, shard ids and iterators are made by the store (iterators carry an HMAC), so a
// fuzzer cannot guess them: in the stream requests a string field "FIXTURE_STREAM",
// "FIXTURE_SHARD" or "FIXTURE_ITERATOR" stands for the fixture's stream, its shard and an
// iterator at the shard's oldest record; in the JSON bodies of the admin APIs the text
// FIXTURE_SHARD stands for the shard id.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "fuzz/fuzz_checks.h"
#include "proto/table_store.pb.h"
#include "server/admin_handlers.h"
#include "server/request_dispatcher.h"
#include "store/store.h"
#include "testing/temporary_directory.h"
#include "wire/error_codes.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace {

using namespace otsync;

constexpr const char* kInstance = "fuzz";
constexpr const char* kTable = "t";
constexpr int64_t kStartMicros = 1'700'000'000'000'000;

struct Api {
  std::string_view name;
  bool writes;  // May change the store: the fixture is put back after it succeeds.
};

constexpr Api kApis[] = {
    {"CreateTable", true},
    {"ListTable", false},
    {"DescribeTable", false},
    {"UpdateTable", true},
    {"DeleteTable", true},
    {"ComputeSplitPointsBySize", false},
    {"GetRow", false},
    {"PutRow", true},
    {"UpdateRow", true},
    {"DeleteRow", true},
    {"BatchGetRow", false},
    {"BatchWriteRow", true},
    {"GetRange", false},
    {"ListStream", false},
    {"DescribeStream", false},
    {"GetShardIterator", false},
    {"GetStreamRecord", false},
    {server::kAdminSplitShardApi, true},
    {server::kAdminMergeShardsApi, true},
    {server::kAdminTrimApi, true},
};

wire::TableDescription FixtureTable() {
  wire::TableDescription table;
  table.name = kTable;
  table.primary_key = {{"pk", wire::PrimaryKeyType::kString, false}};
  table.stream.enabled = true;
  table.stream.expiration_hours = 24;
  return table;
}

class Harness {
 public:
  Harness() : directory_("otsync_fuzz_ots_request") {
    clock_ = std::make_shared<ManualClock>(kStartMicros);
    store::StoreOptions options;
    options.path = directory_.Child("store");
    options.clock = clock_;
    options.trim_interval = std::chrono::milliseconds(0);
    Result<std::unique_ptr<store::Store>> opened = store::Store::Open(options);
    fuzz::Check(opened.ok(), "the store does not open", opened.status().ToString());
    store_ = std::move(opened).value();
    server::DispatcherOptions dispatcher_options;
    dispatcher_options.stream_read_ahead = nullptr;
    dispatcher_ = server::MakeDefaultDispatcher(dispatcher_options);
    Restore();
  }

  // Destroyed by the static destructor at exit: the store closes, the directory goes.
  ~Harness() { store_.reset(); }

  void Run(const Api& api, std::string_view body) {
    server::ApiContext context;
    context.store = store_.get();
    context.instance = kInstance;
    context.is_admin = true;
    const std::string request = WithFixtureIds(api.name, body);
    Result<std::string> reply = dispatcher_.Dispatch(api.name, context, request);
    if (!reply.ok()) {
      StatusCode code = reply.status().code();
      // Bad bytes from a client are the client's error, never the store's.
      fuzz::Check(code != StatusCode::kInternal && code != StatusCode::kIOError &&
                      code != StatusCode::kCorruption,
                  "a request fails as a server error", reply.status().ToString());
      (void)wire::ToWireError(code);
    }
    clock_->AdvanceMicros(1000);
    // A refused request changed nothing (the store checks a request whole before writing).
    if (api.writes && reply.ok()) Restore();
  }

 private:
  // Drops every table and makes the fixture again: the table, its stream and three rows.
  void Restore() {
    Result<std::vector<std::string>> tables = store_->ListTables(kInstance);
    fuzz::Check(tables.ok(), "ListTables fails", tables.status().ToString());
    for (const std::string& name : *tables) {
      Status deleted = store_->DeleteTable(kInstance, name);
      fuzz::Check(deleted.ok(), "DeleteTable fails", deleted.ToString());
    }
    Status created = store_->CreateTable(kInstance, FixtureTable());
    fuzz::Check(created.ok(), "the fixture table cannot be created", created.ToString());
    for (const char* key : {"a", "b", "c"}) {
      wire::RowWrite write;
      write.type = wire::WriteType::kPut;
      write.row.primary_key = {{"pk", wire::Value::String(key)}};
      write.row.cells.push_back(wire::Cell{"c", wire::Value::String(key), std::nullopt});
      write.row.cells.push_back(wire::Cell{"n", wire::Value::Integer(7), std::nullopt});
      Result<wire::RowWriteOutcome> written = store_->WriteRow(kInstance, kTable, write);
      fuzz::Check(written.ok(), "a fixture row cannot be written", written.status().ToString());
    }
    Result<std::vector<store::StreamSummary>> streams = store_->ListStream(kInstance, kTable);
    fuzz::Check(streams.ok() && streams->size() == 1, "the fixture has no stream");
    stream_id_ = streams->front().stream_id;
    Result<store::StreamDescription> stream =
        store_->DescribeStream(kInstance, stream_id_, "", std::nullopt);
    fuzz::Check(stream.ok() && !stream->shards.empty(), "the fixture stream has no shard");
    shard_id_ = stream->shards.front().shard_id;
    Result<std::string> iterator =
        store_->GetShardIterator(kInstance, stream_id_, shard_id_, std::nullopt);
    fuzz::Check(iterator.ok(), "no iterator for the fixture shard", iterator.status().ToString());
    iterator_ = *iterator;
  }

  // `body` with the FIXTURE_* placeholders of its top-level string fields replaced.
  template <typename Request>
  std::string Substitute(std::string_view body) const {
    Request request;
    if (!request.ParsePartialFromArray(body.data(), static_cast<int>(body.size()))) {
      return std::string(body);
    }
    const google::protobuf::Descriptor* descriptor = request.GetDescriptor();
    const google::protobuf::Reflection* reflection = request.GetReflection();
    bool replaced = false;
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = descriptor->field(i);
      if (field->type() != google::protobuf::FieldDescriptor::TYPE_STRING || field->is_repeated() ||
          !reflection->HasField(request, field)) {
        continue;
      }
      const std::string value = reflection->GetString(request, field);
      const std::string* fixture = value == "FIXTURE_STREAM"     ? &stream_id_
                                   : value == "FIXTURE_SHARD"    ? &shard_id_
                                   : value == "FIXTURE_ITERATOR" ? &iterator_
                                                                 : nullptr;
      if (fixture != nullptr) {
        reflection->SetString(&request, field, *fixture);
        replaced = true;
      }
    }
    return replaced ? request.SerializePartialAsString() : std::string(body);
  }

  std::string WithFixtureIds(std::string_view api, std::string_view body) const {
    if (api == "DescribeStream") return Substitute<proto::DescribeStreamRequest>(body);
    if (api == "GetShardIterator") return Substitute<proto::GetShardIteratorRequest>(body);
    if (api == "GetStreamRecord") return Substitute<proto::GetStreamRecordRequest>(body);
    std::string text(body);
    if (api.starts_with("_otsd/admin/")) {
      for (size_t at = text.find("FIXTURE_SHARD"); at != std::string::npos;
           at = text.find("FIXTURE_SHARD", at + shard_id_.size())) {
        text.replace(at, std::string_view("FIXTURE_SHARD").size(), shard_id_);
      }
    }
    return text;
  }

  otsync::testing::TemporaryDirectory directory_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<store::Store> store_;
  server::RequestDispatcher dispatcher_;
  std::string stream_id_;
  std::string shard_id_;
  std::string iterator_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;
  if (size == 0) return 0;
  const Api& api = kApis[data[0] % std::size(kApis)];
  harness.Run(api, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  return 0;
}
