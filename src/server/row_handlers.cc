#include "server/row_handlers.h"

#include <google/protobuf/arena.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/table_store.pb.h"
#include "server/handler_util.h"
#include "server/proto_conversion.h"
#include "wire/coding.h"
#include "wire/plain_buffer.h"
#include "wire/signature.h"

namespace otsync::server {
namespace {

std::string Indexed(std::string_view field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

// The read options shared by GetRowRequest, TableInBatchGetRowRequest and GetRangeRequest.
template <typename Request>
Result<wire::ReadOptions> ReadOptionsOf(const Request& request, const std::string& message) {
  wire::ReadOptions options;
  options.columns_to_get.assign(request.columns_to_get().begin(), request.columns_to_get().end());
  if (request.has_time_range()) options.time_range = FromTimeRange(request.time_range());
  if (request.has_max_versions()) {
    if (request.max_versions() <= 0) {
      return Status::InvalidArgument(message + ".max_versions: must be greater than 0.");
    }
    options.max_versions = request.max_versions();
  }
  if (request.has_filter() && !request.filter().empty()) {
    OTSYNC_ASSIGN_OR_RETURN(options.filter, DecodeFilter(request.filter(), message + ".filter"));
  }
  options.start_column = request.start_column();
  options.end_column = request.end_column();
  return options;
}

bool HasAutoIncrementPlaceholder(const wire::PrimaryKey& primary_key) {
  for (const wire::PrimaryKeyColumn& column : primary_key) {
    if (column.value.type() == wire::ValueType::kAutoIncrement) return true;
  }
  return false;
}

// The service rejects a batch that writes one row twice: the outcome would depend on order.
// Rows with an AUTO_INCREMENT placeholder are distinct rows whatever their other columns.
Status CheckNoDuplicateRows(const wire::TableWrites& writes, const std::string& field) {
  std::vector<size_t> order;
  for (size_t i = 0; i < writes.rows.size(); ++i) {
    if (!HasAutoIncrementPlaceholder(writes.rows[i].row.primary_key)) order.push_back(i);
  }
  auto key = [&writes](size_t i) -> const wire::PrimaryKey& {
    return writes.rows[i].row.primary_key;
  };
  std::sort(order.begin(), order.end(), [&key](size_t a, size_t b) {
    const int compared = wire::ComparePrimaryKeys(key(a), key(b));
    return compared != 0 ? compared < 0 : a < b;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    if (wire::ComparePrimaryKeys(key(order[i - 1]), key(order[i])) == 0) {
      return Status::InvalidArgument(Indexed(field + ".rows", order[i]) +
                                     ": the same row is written twice in one request (rows[" +
                                     std::to_string(order[i - 1]) + "] and rows[" +
                                     std::to_string(order[i]) + "]).");
    }
  }
  return Status::OK();
}

std::string EncodeOptionalRow(const std::optional<wire::Row>& row) {
  std::string bytes;
  if (row.has_value()) wire::EncodeRow(*row, &bytes);
  return bytes;
}

Result<std::string> GetRow(const ApiContext& context, const proto::GetRowRequest& request) {
  OTSYNC_ASSIGN_OR_RETURN(
      wire::PrimaryKey primary_key,
      DecodePrimaryKeyField(request.primary_key(), "GetRowRequest.primary_key"));
  OTSYNC_ASSIGN_OR_RETURN(wire::ReadOptions options, ReadOptionsOf(request, "GetRowRequest"));
  OTSYNC_ASSIGN_OR_RETURN(
      wire::RowReadOutcome outcome,
      context.store->GetRow(context.instance, request.table_name(), primary_key, options));
  OTSYNC_RETURN_IF_ERROR(outcome.status);
  proto::GetRowResponse response;
  response.set_row(EncodeOptionalRow(outcome.row));
  SetConsumed(CapacityUnitsFor(response.row().size()), 0, response.mutable_consumed());
  return SerializeResponse(response);
}

// PutRow, UpdateRow and DeleteRow: one RowWrite, the same response shape.
template <typename Request, typename Response>
Result<std::string> WriteOneRow(const ApiContext& context, const Request& request,
                                wire::WriteType type, const std::string& row_bytes,
                                const std::string& message, const char* row_field) {
  wire::RowWrite write;
  write.type = type;
  OTSYNC_ASSIGN_OR_RETURN(write.row, DecodeRowChange(row_bytes, type, message + "." + row_field));
  OTSYNC_ASSIGN_OR_RETURN(write.condition,
                          FromCondition(request.condition(), message + ".condition"));
  if (request.has_return_content()) FromReturnContent(request.return_content(), &write);
  OTSYNC_ASSIGN_OR_RETURN(wire::RowWriteOutcome outcome,
                          context.store->WriteRow(context.instance, request.table_name(), write));
  OTSYNC_RETURN_IF_ERROR(outcome.status);
  Response response;
  SetConsumed(0, CapacityUnitsFor(row_bytes.size()), response.mutable_consumed());
  if (write.return_type != wire::ReturnType::kNone && outcome.returned_row.has_value()) {
    wire::EncodeRow(*outcome.returned_row, response.mutable_row());
  }
  return SerializeResponse(response);
}

Result<std::string> PutRow(const ApiContext& context, const proto::PutRowRequest& request) {
  return WriteOneRow<proto::PutRowRequest, proto::PutRowResponse>(
      context, request, wire::WriteType::kPut, request.row(), "PutRowRequest", "row");
}

Result<std::string> UpdateRow(const ApiContext& context, const proto::UpdateRowRequest& request) {
  return WriteOneRow<proto::UpdateRowRequest, proto::UpdateRowResponse>(
      context, request, wire::WriteType::kUpdate, request.row_change(), "UpdateRowRequest",
      "row_change");
}

Result<std::string> DeleteRow(const ApiContext& context, const proto::DeleteRowRequest& request) {
  return WriteOneRow<proto::DeleteRowRequest, proto::DeleteRowResponse>(
      context, request, wire::WriteType::kDelete, request.primary_key(), "DeleteRowRequest",
      "primary_key");
}

Result<std::string> BatchGetRow(const ApiContext& context,
                                const proto::BatchGetRowRequest& request) {
  std::vector<wire::TableReads> tables;
  for (int t = 0; t < request.tables_size(); ++t) {
    const proto::TableInBatchGetRowRequest& table_request = request.tables(t);
    const std::string field = Indexed("BatchGetRowRequest.tables", t);
    wire::TableReads reads;
    reads.table_name = table_request.table_name();
    for (int r = 0; r < table_request.primary_key_size(); ++r) {
      OTSYNC_ASSIGN_OR_RETURN(
          wire::PrimaryKey primary_key,
          DecodePrimaryKeyField(table_request.primary_key(r), Indexed(field + ".primary_key", r)));
      reads.primary_keys.push_back(std::move(primary_key));
    }
    OTSYNC_ASSIGN_OR_RETURN(reads.options, ReadOptionsOf(table_request, field));
    tables.push_back(std::move(reads));
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::vector<wire::RowReadOutcome>> outcomes,
                          context.store->BatchGetRows(context.instance, tables));
  if (outcomes.size() != tables.size()) {
    return Status::Internal("BatchGetRow: the store answered for a different number of tables.");
  }

  proto::BatchGetRowResponse response;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (outcomes[t].size() != tables[t].primary_keys.size()) {
      return Status::Internal("BatchGetRow: the store answered for a different number of rows.");
    }
    proto::TableInBatchGetRowResponse* table_response = response.add_tables();
    table_response->set_table_name(tables[t].table_name);
    for (const wire::RowReadOutcome& outcome : outcomes[t]) {
      proto::RowInBatchGetRowResponse* row_response = table_response->add_rows();
      row_response->set_is_ok(outcome.status.ok());
      if (!outcome.status.ok()) {
        ToError(outcome.status, row_response->mutable_error());
        continue;
      }
      row_response->set_row(EncodeOptionalRow(outcome.row));
      SetConsumed(CapacityUnitsFor(row_response->row().size()), 0,
                  row_response->mutable_consumed());
    }
  }
  return SerializeResponse(response);
}

// Node omits RowInBatchWriteRowRequest.condition when none was given (docs/protocol.md §2.4), so
// the body is parsed without the required-field check and a missing condition becomes IGNORE.
Result<std::string> HandleBatchWriteRow(const ApiContext& context, std::string_view body) {
  // The request's messages and strings (a message and a string or two a row, for up to 200 rows)
  // come from one arena sized by the body and go in one free, not one malloc and free each.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = std::max<size_t>(4096, 2 * body.size());
  arena_options.max_block_size = arena_options.start_block_size;
  google::protobuf::Arena arena(arena_options);
  proto::BatchWriteRowRequest& request =
      *google::protobuf::Arena::CreateMessage<proto::BatchWriteRowRequest>(&arena);
  OTSYNC_RETURN_IF_ERROR(ParseRequest(body, &request, /*check_required=*/false));
  for (proto::TableInBatchWriteRowRequest& table : *request.mutable_tables()) {
    for (proto::RowInBatchWriteRowRequest& row : *table.mutable_rows()) {
      if (!row.has_condition()) row.mutable_condition()->set_row_existence(proto::IGNORE);
    }
  }
  OTSYNC_RETURN_IF_ERROR(CheckRequiredFields(request));

  std::vector<wire::TableWrites> tables;
  std::vector<std::vector<size_t>> row_sizes;
  for (int t = 0; t < request.tables_size(); ++t) {
    const proto::TableInBatchWriteRowRequest& table_request = request.tables(t);
    const std::string field = Indexed("BatchWriteRowRequest.tables", t);
    if (table_request.rows_size() == 0) {
      return Status::InvalidArgument(field + ": a table in BatchWriteRow needs at least one row.");
    }
    wire::TableWrites writes;
    writes.table_name = table_request.table_name();
    writes.rows.reserve(static_cast<size_t>(table_request.rows_size()));
    std::vector<size_t> sizes;
    sizes.reserve(static_cast<size_t>(table_request.rows_size()));
    for (int r = 0; r < table_request.rows_size(); ++r) {
      const proto::RowInBatchWriteRowRequest& row_request = table_request.rows(r);
      // A row's field name is spelled out only for an error's message: a decode that fails is
      // repeated with it (both are pure), so the rows that decode cost no strings.
      auto row_field = [&field, r] { return Indexed(field + ".rows", r); };
      wire::RowWrite write;
      write.type = static_cast<wire::WriteType>(row_request.type());
      Result<wire::Row> row = DecodeRowChange(row_request.row_change(), write.type, "");
      if (!row.ok()) {
        row = DecodeRowChange(row_request.row_change(), write.type, row_field() + ".row_change");
      }
      OTSYNC_ASSIGN_OR_RETURN(write.row, std::move(row));
      Result<wire::Condition> condition = FromCondition(row_request.condition(), "");
      if (!condition.ok()) {
        condition = FromCondition(row_request.condition(), row_field() + ".condition");
      }
      OTSYNC_ASSIGN_OR_RETURN(write.condition, std::move(condition));
      if (row_request.has_return_content()) {
        FromReturnContent(row_request.return_content(), &write);
      }
      writes.rows.push_back(std::move(write));
      sizes.push_back(row_request.row_change().size());
    }
    OTSYNC_RETURN_IF_ERROR(CheckNoDuplicateRows(writes, field));
    tables.push_back(std::move(writes));
    row_sizes.push_back(std::move(sizes));
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::vector<wire::RowWriteOutcome>> outcomes,
                          context.store->BatchWriteRows(context.instance, tables));
  if (outcomes.size() != tables.size()) {
    return Status::Internal("BatchWriteRow: the store answered for a different number of tables.");
  }

  proto::BatchWriteRowResponse response;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (outcomes[t].size() != tables[t].rows.size()) {
      return Status::Internal("BatchWriteRow: the store answered for a different number of rows.");
    }
    proto::TableInBatchWriteRowResponse* table_response = response.add_tables();
    table_response->set_table_name(tables[t].table_name);
    for (size_t r = 0; r < outcomes[t].size(); ++r) {
      const wire::RowWriteOutcome& outcome = outcomes[t][r];
      proto::RowInBatchWriteRowResponse* row_response = table_response->add_rows();
      row_response->set_is_ok(outcome.status.ok());
      if (!outcome.status.ok()) {
        ToError(outcome.status, row_response->mutable_error());
        continue;
      }
      SetConsumed(0, CapacityUnitsFor(row_sizes[t][r]), row_response->mutable_consumed());
      if (tables[t].rows[r].return_type != wire::ReturnType::kNone &&
          outcome.returned_row.has_value()) {
        wire::EncodeRow(*outcome.returned_row, row_response->mutable_row());
      }
    }
  }
  return SerializeResponse(response);
}

// One GetRange page of `range` as the serialized response; `*next_start` gets its next start key.
// The rows are encoded straight into the response's bytes: the body begins with the rows field
// (GetRangeResponse.rows, field 2) and the other fields follow it, as protobuf lets fields come in
// any order; a message holding the rows would copy the whole page once more to serialize it.
// `expected_bytes`: about how large the page will be (0: unknown). The body is made that large at
// once (and an eighth more), where growing it as rows come would copy and fault in about twice
// the page; the rows field's length prefix is given the size that length would take, so that
// nothing moves when the guess holds.
Result<std::string> BuildRangePage(store::Store* store, const std::string& instance,
                                   const std::string& table, const wire::RangeRequest& range,
                                   size_t expected_bytes,
                                   std::optional<wire::PrimaryKey>* next_start) {
  constexpr char kRowsFieldKey = (2 << 3) | 2;  // Field 2, length-delimited.
  const size_t guessed_prefix = 1 + wire::VarintLength(expected_bytes);
  std::string body;
  body.reserve(guessed_prefix + expected_bytes + expected_bytes / 8);
  body.resize(guessed_prefix);
  wire::PlainBufferWriter writer(&body);
  // Rows are encoded as the store reads them: no page of rows is held (a page is up to 5000).
  OTSYNC_ASSIGN_OR_RETURN(*next_start, store->EncodeRangePage(instance, table, range, &writer));
  const size_t rows_size = body.size() - guessed_prefix;
  std::string prefix(1, kRowsFieldKey);
  wire::PutVarint64(rows_size, &prefix);
  body.replace(0, guessed_prefix, prefix);

  proto::GetRangeResponse rest;  // Every field but the rows, which are in `body` already.
  if (next_start->has_value()) {
    wire::EncodePrimaryKey(**next_start, rest.mutable_next_start_primary_key());
  }
  SetConsumed(CapacityUnitsFor(rows_size), 0, rest.mutable_consumed());
  rest.AppendPartialToString(&body);
  return body;
}

// What identifies a page: the instance and the request with its keys as otsd encodes them, so
// that a client re-encoding the next start key it was given asks for the same page. Instance
// names hold no '\n'.
std::string RangeReadAheadKey(const std::string& instance, proto::GetRangeRequest request,
                              const wire::RangeRequest& range) {
  // EncodePrimaryKey appends.
  request.clear_inclusive_start_primary_key();
  request.clear_exclusive_end_primary_key();
  wire::EncodePrimaryKey(range.inclusive_start, request.mutable_inclusive_start_primary_key());
  wire::EncodePrimaryKey(range.exclusive_end, request.mutable_exclusive_end_primary_key());
  return instance + '\n' + request.SerializeAsString();
}

// One scan's prepared pages. The page thread runs up to kRangePagesAhead pages ahead of the
// pages taken, so that it builds the next page while the one before is hashed (the read-ahead's
// finish step) and sent: a scan's pages then come as fast as the page thread builds them. A chain
// that reached that depth parks its next start until a page of it is taken.
struct RangeChain {
  std::mutex mu;
  int built_not_taken = 0;  // Guarded by mu.
  // The start of the next page to prepare once a page is taken; absent while a job of the chain
  // is queued or running, or when the range is finished. Guarded by mu.
  std::optional<wire::PrimaryKey> parked_start;
  size_t parked_page_bytes = 0;  // The size of the page before the parked one. Guarded by mu.
  // Whether the chain's pages get their content MD5 from the read-ahead's finish step: not for a
  // scan whose first call said it does not check it. Set before the chain's first job.
  bool content_md5_wanted = true;
};

// A new chain for the scan `context` calls for.
std::shared_ptr<RangeChain> NewRangeChain(const ApiContext& context) {
  auto chain = std::make_shared<RangeChain>();
  chain->content_md5_wanted = !context.content_md5_unchecked;
  return chain;
}

constexpr int kRangePagesAhead = 2;

void PrepareNextRangePage(ReadAhead* read_ahead, store::Store* store, const std::string& instance,
                          const proto::GetRangeRequest& request, wire::RangeRequest range,
                          wire::PrimaryKey next_start, size_t page_bytes,
                          std::shared_ptr<RangeChain> chain);

// Whether a page a job builds is kept to be served later (prepared ahead of its request) or is
// served at once (a scan's first page, built on the read-ahead's thread for its caller).
enum class RangePageUse { kKeptForLater, kServedAtOnce };

// The job that builds the page of `range` (from its start) for `chain`, and chains the page after
// it up to kRangePagesAhead. A page kept for later may be served only while no write happened
// since it was read (the store's write version), and is built only for a table whose cells never
// expire: a page read before a TTL ran out would still hold the expired cells. A page served at
// once is what the caller's own read would be, for any table. `page_bytes`: the size of the page
// before, which this one is expected to be close to.
ReadAhead::Job MakeRangePageJob(ReadAhead* read_ahead, store::Store* store,
                                const std::string& instance, const proto::GetRangeRequest& request,
                                wire::RangeRequest range, size_t page_bytes,
                                std::shared_ptr<RangeChain> chain, RangePageUse use) {
  return [read_ahead, store, instance, request, range = std::move(range), page_bytes, chain,
          use]() -> std::optional<PreparedAnswer> {
    PreparedAnswer prepared;
    prepared.state_version = store->WriteVersion();
    prepared.content_md5_wanted = chain->content_md5_wanted;
    if (use == RangePageUse::kKeptForLater) {
      Result<wire::TableDescription> description =
          store->DescribeTable(instance, request.table_name());
      if (!description.ok() || description->options.time_to_live_seconds > 0) return std::nullopt;
    }
    std::optional<wire::PrimaryKey> after;
    Result<std::string> body =
        BuildRangePage(store, instance, request.table_name(), range, page_bytes, &after);
    if (!body.ok()) return std::nullopt;
    prepared.body = std::move(body).value();
    prepared.chain = chain;
    if (!after.has_value()) return prepared;
    prepared.continuation.emplace();
    wire::EncodePrimaryKey(*after, &*prepared.continuation);
    prepared.more_expected = true;
    bool chain_on = false;
    {
      std::lock_guard<std::mutex> lock(chain->mu);
      ++chain->built_not_taken;
      chain_on = chain->built_not_taken < kRangePagesAhead;
      if (!chain_on) {
        chain->parked_start = *after;
        chain->parked_page_bytes = prepared.body.size();
      }
    }
    if (chain_on) {
      PrepareNextRangePage(read_ahead, store, instance, request, range, std::move(*after),
                           prepared.body.size(), chain);
    }
    return prepared;
  };
}

// A scan asks for the page after this one next: prepare it, from `next_start` on, and (chain) the
// pages after it up to kRangePagesAhead.
void PrepareNextRangePage(ReadAhead* read_ahead, store::Store* store, const std::string& instance,
                          const proto::GetRangeRequest& request, wire::RangeRequest range,
                          wire::PrimaryKey next_start, size_t page_bytes,
                          std::shared_ptr<RangeChain> chain) {
  if (read_ahead == nullptr) return;
  range.inclusive_start = std::move(next_start);
  std::string key = RangeReadAheadKey(instance, request, range);
  read_ahead->Schedule(std::move(key),
                       MakeRangePageJob(read_ahead, store, instance, request, std::move(range),
                                        page_bytes, std::move(chain), RangePageUse::kKeptForLater));
}

// A page of `chain` was taken: let the chain go on if it was parked.
void ResumeRangeChain(ReadAhead* read_ahead, store::Store* store, const std::string& instance,
                      const proto::GetRangeRequest& request, const wire::RangeRequest& range,
                      const std::shared_ptr<RangeChain>& chain) {
  if (chain == nullptr) return;
  std::optional<wire::PrimaryKey> start;
  size_t page_bytes = 0;
  {
    std::lock_guard<std::mutex> lock(chain->mu);
    if (chain->built_not_taken > 0) --chain->built_not_taken;
    if (!chain->parked_start.has_value()) return;
    start = std::move(chain->parked_start);
    chain->parked_start.reset();
    page_bytes = chain->parked_page_bytes;
  }
  PrepareNextRangePage(read_ahead, store, instance, request, range, std::move(*start), page_bytes,
                       chain);
}

// Serves a page the read-ahead built: its chain goes on, and its MD5, when the finish step
// computed it, goes out with it.
std::string ServeRangePage(const ApiContext& context, ReadAhead* read_ahead,
                           const proto::GetRangeRequest& request, const wire::RangeRequest& range,
                           PreparedAnswer page) {
  ResumeRangeChain(read_ahead, context.store, context.instance, request, range,
                   std::static_pointer_cast<RangeChain>(page.chain));
  if (context.known_content_md5 != nullptr) {
    *context.known_content_md5 = std::move(page.content_md5);
  }
  return std::move(page.body);
}

// `read_ahead` may be null (read-ahead off).
Result<std::string> GetRange(const ApiContext& context, const proto::GetRangeRequest& request,
                             ReadAhead* read_ahead) {
  wire::RangeRequest range;
  range.direction = request.direction() == proto::BACKWARD ? wire::Direction::kBackward
                                                           : wire::Direction::kForward;
  OTSYNC_ASSIGN_OR_RETURN(range.inclusive_start,
                          DecodePrimaryKeyField(request.inclusive_start_primary_key(),
                                                "GetRangeRequest.inclusive_start_primary_key"));
  OTSYNC_ASSIGN_OR_RETURN(range.exclusive_end,
                          DecodePrimaryKeyField(request.exclusive_end_primary_key(),
                                                "GetRangeRequest.exclusive_end_primary_key"));
  if (request.has_limit()) {
    if (request.limit() <= 0) {
      return Status::InvalidArgument("GetRangeRequest.limit: The limit must be greater than 0.");
    }
    range.limit = request.limit();
  }
  OTSYNC_ASSIGN_OR_RETURN(range.read, ReadOptionsOf(request, "GetRangeRequest"));
  if (read_ahead != nullptr) {
    std::optional<PreparedAnswer> prepared =
        read_ahead->Take(RangeReadAheadKey(context.instance, request, range));
    if (prepared.has_value() && prepared->state_version == context.store->WriteVersion()) {
      return ServeRangePage(context, read_ahead, request, range, std::move(*prepared));
    }
  }
  // A page's size is unknown before it is read. Room for 2 MiB at once (a page of short rows is
  // about 1.2 MB) spares growing the body by copies while the scan's first page is awaited;
  // memory a small answer does not write is never touched.
  constexpr size_t kUnknownPageBytes = 2 << 20;
  if (read_ahead != nullptr) {
    // A scan's first page, built by the read-ahead's thread when it is idle: its memory is warm
    // from the pages it built before, where this thread's may be fresh (an 8 ms build instead
    // of 3-5 ms, docs/benchmarks.md, Scan run 4). It starts the scan's chain as a prepared page
    // would.
    std::optional<PreparedAnswer> first = read_ahead->RunIfIdle(
        RangeReadAheadKey(context.instance, request, range),
        MakeRangePageJob(read_ahead, context.store, context.instance, request, range,
                         kUnknownPageBytes, NewRangeChain(context), RangePageUse::kServedAtOnce));
    if (first.has_value()) {
      return ServeRangePage(context, read_ahead, request, range, std::move(*first));
    }
  }
  std::optional<wire::PrimaryKey> next_start;
  OTSYNC_ASSIGN_OR_RETURN(
      std::string body, BuildRangePage(context.store, context.instance, request.table_name(), range,
                                       kUnknownPageBytes, &next_start));
  if (next_start.has_value()) {
    PrepareNextRangePage(read_ahead, context.store, context.instance, request, range,
                         std::move(*next_start), body.size(), NewRangeChain(context));
  }
  return body;
}

}  // namespace

void RegisterRowHandlers(RequestDispatcher* dispatcher,
                         std::shared_ptr<ReadAhead> range_read_ahead) {
  dispatcher->Register("GetRow", MakeHandler<proto::GetRowRequest>(&GetRow));
  dispatcher->Register("PutRow", MakeHandler<proto::PutRowRequest>(&PutRow));
  dispatcher->Register("UpdateRow", MakeHandler<proto::UpdateRowRequest>(&UpdateRow));
  dispatcher->Register("DeleteRow", MakeHandler<proto::DeleteRowRequest>(&DeleteRow));
  dispatcher->Register("BatchGetRow", MakeHandler<proto::BatchGetRowRequest>(&BatchGetRow));
  dispatcher->Register("BatchWriteRow", &HandleBatchWriteRow);
  dispatcher->Register("GetRange",
                       MakeHandler<proto::GetRangeRequest>(&GetRange, std::move(range_read_ahead)));
}

}  // namespace otsync::server
