// Client: the Tablestore client of otsync. It speaks the service's wire protocol
// (docs/protocol.md §1, §2) to otsd or to a real Tablestore endpoint, in terms of the shared wire
// model types.
//
// Contracts:
//  - Every request is signed with the V2 signature (docs/protocol.md §1.3) and carries x-ots-date,
//    x-ots-apiversion, x-ots-instancename, x-ots-accesskeyid and x-ots-contentmd5.
//  - An error answered by the service becomes a Status whose code comes from
//    wire::FromWireError and whose message is "<OTS code>: <OTS message>", e.g.
//    "OTSObjectNotExist: Requested table does not exist.".
//  - A 2xx body whose x-ots-contentmd5 does not match is retried as a transport failure, unless
//    ClientOptions::verify_response_md5 is off; then every request says so to otsd
//    (wire::kContentMd5CheckHeader), which leaves the hash out of its answers.
//  - Retries (docs/protocol.md §1.8): codes that are always retriable are retried for every API;
//    timeouts, internal and unavailable errors and network failures only for read APIs
//    (wire::IsIdempotentApi). At most `max_retries` retries, exponential back-off with jitter.
//  - The access key secret is used for signing only: it never reaches a log line, an error
//    message or a string this class returns.
//
// Thread safety: every method may be called from many threads at once. Connections are kept
// alive and pooled; concurrent calls use separate connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "wire/hmac.h"
#include "wire/operations.h"
#include "wire/row.h"
#include "wire/stream.h"
#include "wire/table_schema.h"

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace otsync::client {

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;
  std::string security_token;  // STS token sent as x-ots-ststoken; empty = none.
};

struct ClientOptions {
  // "http://127.0.0.1:8800" or "https://<instance>.<region>.ots.aliyuncs.com". A path in the
  // endpoint is ignored, as the official SDKs ignore it: requests go to "/<Api>".
  std::string endpoint;
  std::string instance;
  Credentials credentials;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{30000};  // Per attempt, reading or writing.
  int max_retries = 3;
  std::chrono::milliseconds retry_base_delay{100};  // Delay before the first retry.
  std::chrono::milliseconds retry_max_delay{3000};  // Cap of the doubled delays.
  size_t max_idle_connections = 16;                 // Kept-alive connections in the pool.
  // Check a 2xx body against its x-ots-contentmd5 header (when present), as the official C++
  // SDK does; a mismatch is a transport failure, retried for reads. A body of 32 KiB or more is
  // hashed on a helper thread while it is decoded (wire::ConcurrentContentMd5), so the check
  // costs a reader CPU more than time. Off, as the Java (by default) and Go SDKs have it, saves
  // hashing every response: a third of the client's CPU on a GetStreamRecord read, whose records
  // still carry their PlainBuffer CRC-8 checksums; otsd, told so, then saves hashing them too.
  bool verify_response_md5 = true;
  std::shared_ptr<Clock> clock;  // Stamps x-ots-date; null = real clock.
};

struct CapacityUnits {
  int32_t read = 0;
  int32_t write = 0;
};

struct WriteResult {
  std::optional<wire::Row> row;  // Per the write's ReturnType.
  CapacityUnits consumed;
};

struct UpdateTableResult {
  wire::TableOptions options;
  wire::StreamSettings stream;
  int32_t reserved_read_capacity = 0;
  int32_t reserved_write_capacity = 0;
};

struct SplitLocation {
  std::string location;
  int64_t repeat = 0;
};

struct SplitPoints {
  std::vector<wire::PrimaryKeySchemaColumn> schema;
  std::vector<wire::PrimaryKey> split_points;  // Increasing; may be shorter than the schema.
  std::vector<SplitLocation> locations;
};

// ---------------------------------------------------------------------------------------------
// Streams (docs/protocol.md §2.6, §3.10, §4).

// The stream types are the wire's (one definition for client, store and server); these names
// keep the client's API spelled in one namespace.
using wire::StreamAction;
using wire::StreamStatus;

struct StreamInfo {
  std::string stream_id;
  std::string table_name;
  int64_t creation_time_micros = 0;
};

struct StreamShard {
  std::string shard_id;
  std::string parent_id;          // Empty = none.
  std::string parent_sibling_id;  // Empty = none; set on the child of a merge.
};

struct StreamDescription {
  std::string stream_id;
  std::string table_name;
  int32_t expiration_hours = 0;
  int64_t creation_time_micros = 0;
  wire::StreamStatus status = wire::StreamStatus::kActive;
  std::vector<StreamShard> shards;
  // Set when more shards remain past the shard limit: pass it as the next
  // inclusive_start_shard_id.
  std::optional<std::string> next_shard_id;
};

// One decoded stream record. `row.primary_key` is the key; `row.cells` are the changed columns
// in wire order, each one of:
//   operation kPut:               value and timestamp (ms) set;
//   operation kDeleteOneVersion:  timestamp set, no value;
//   operation kDeleteAllVersions: neither.
// A kDeleteRow record has no cells (`row.delete_marker` tells whether the server sent the
// marker). `sequence` equals `*row.sequence_info`, which is always set.
struct StreamRecord {
  wire::StreamAction action = wire::StreamAction::kPutRow;
  wire::SequenceInfo sequence;
  wire::Row row;
};

// The answer of one GetStreamRecord. Keep one batch per reader and pass it to every call: the
// records' rows, cells and strings and the response buffer are reused, so that decoding
// allocates nothing per record once the batch has grown to the largest response seen.
class StreamRecordBatch {
 public:
  // The records of the last response, in commit order. Valid until the batch is reused.
  std::span<const StreamRecord> records() const { return {slots_.data(), size_}; }
  std::span<StreamRecord> mutable_records() { return {slots_.data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const StreamRecord& operator[](size_t i) const { return slots_[i]; }

  // Absent: the shard is closed and every record of it has been read; move on to its children
  // (DescribeStream). On an open shard that has nothing new, the iterator that was passed in.
  const std::optional<std::string>& next_shard_iterator() const { return next_shard_iterator_; }
  // True while more records are available right away (false when absent from the response).
  bool may_more_record() const { return may_more_record_; }
  // The GetStreamRecordResponse bytes the batch was decoded from (for benchmarks and
  // debugging). Valid until the batch is reused.
  std::string_view response_bytes() const { return body_; }

 private:
  friend class Client;
  friend Status DecodeStreamRecordResponse(std::string body, StreamRecordBatch* batch);
  StreamRecord* NextSlot();
  void Reset();

  std::vector<StreamRecord> slots_;  // Never shrinks; the first `size_` are this response's.
  size_t size_ = 0;
  std::optional<std::string> next_shard_iterator_;
  bool may_more_record_ = false;
  std::string body_;
};

// Decodes a GetStreamRecordResponse (protobuf bytes, `body` is taken over) into `*batch`,
// reusing its memory: every record's PlainBuffer row is decoded and checked against
// docs/protocol.md §3.10 (one row, the sequence-info extension present, only the cell kinds above).
// What GetStreamRecord does after the HTTP exchange; public so that the decoder can be measured and
// tested on its own. kCorruption when the bytes are not a valid response; `*batch` is then empty.
Status DecodeStreamRecordResponse(std::string body, StreamRecordBatch* batch);

// What one retention pass of otsd did (Client::AdminTrimStreams).
struct AdminTrimResult {
  uint64_t shards_trimmed = 0;  // Shards whose trim horizon advanced.
  uint64_t shards_removed = 0;  // Closed shards gone entirely.
};

class HttpTransport;
struct HttpReply;

class Client {
 public:
  // Fails with kInvalidArgument when the endpoint is not http(s)://host[:port] or the
  // instance or access key id is empty.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Tables. CreateTable sends `table.stream` only when it is enabled.
  Status CreateTable(const wire::TableDescription& table);
  Result<std::vector<std::string>> ListTable();
  Result<wire::TableDescription> DescribeTable(std::string_view table_name);
  Result<UpdateTableResult> UpdateTable(std::string_view table_name,
                                        const wire::TableUpdate& update);
  Status DeleteTable(std::string_view table_name);

  // Single rows. The API decides the form of the row change (docs/protocol.md §3.9); `write.type`
  // is ignored. DeleteRow sends only the primary key of `write.row`, with the delete marker.
  Result<WriteResult> PutRow(std::string_view table_name, const wire::RowWrite& write);
  Result<WriteResult> UpdateRow(std::string_view table_name, const wire::RowWrite& write);
  Result<WriteResult> DeleteRow(std::string_view table_name, const wire::RowWrite& write);
  // nullopt when the row does not exist (or was filtered out). With neither max_versions nor
  // a time range in `options`, one version is read.
  Result<std::optional<wire::Row>> GetRow(std::string_view table_name,
                                          const wire::PrimaryKey& primary_key,
                                          const wire::ReadOptions& options = {});

  // Batches. Outcomes come back in request order, one vector per table; a row-level failure is
  // in its outcome's status, a request-level failure fails the call.
  Result<std::vector<std::vector<wire::RowReadOutcome>>> BatchGetRow(
      const std::vector<wire::TableReads>& tables);
  Result<std::vector<std::vector<wire::RowWriteOutcome>>> BatchWriteRow(
      const std::vector<wire::TableWrites>& tables);

  // One GetRange call: at most `request.limit` rows (when set) and one server page.
  Result<wire::RangeResult> GetRange(std::string_view table_name,
                                     const wire::RangeRequest& request);
  // The same into `*result`, overwriting the rows it holds in place so that their vectors and
  // strings keep their capacity (wire::DecodeRowsInto): a caller paging through a range with one
  // result allocates little once the first page has been decoded. On error `*result` holds
  // unspecified partial contents.
  Status GetRange(std::string_view table_name, const wire::RangeRequest& request,
                  wire::RangeResult* result);
  // Pages through the whole range, calling `on_rows` with its rows in order, in batches of at
  // most kScanBatchRows rows (a page of the server's is handed over in one or more batches);
  // `request.limit` is the page size. Stops at the first error, including one `on_rows` returns.
  // The batch's rows are reused for the next batch: `on_rows` may move rows out, but a reference
  // into the batch is valid only until it returns. While a page is decoded and `on_rows` runs,
  // the next page is already being fetched (on a second connection), so the server reads it in
  // the meantime; when `on_rows` fails, that one request was made for nothing.
  Status ScanRange(std::string_view table_name, const wire::RangeRequest& request,
                   const std::function<Status(std::vector<wire::Row>& batch)>& on_rows);
  // A batch's rows stay in the CPU's caches and reuse one batch's memory, where a whole page of
  // 5,000 rows decoded at once is megabytes (docs/benchmarks.md, Scan run 4).
  static constexpr size_t kScanBatchRows = 1024;
  // ScanRange collecting every row.
  Result<std::vector<wire::Row>> GetWholeRange(std::string_view table_name,
                                               const wire::RangeRequest& request);

  // `split_size` is in units of 100 MB, as on the wire.
  Result<SplitPoints> ComputeSplitPointsBySize(std::string_view table_name, int64_t split_size);

  // Streams. All four are reads: retried like the other read APIs.
  // Every stream of the instance, or only `table_name`'s (none when its stream is disabled).
  Result<std::vector<StreamInfo>> ListStream(std::optional<std::string_view> table_name = {});
  // One page of shards starting at `inclusive_start_shard_id` (empty = the first), at most
  // `shard_limit` of them (0 = the server's choice).
  Result<StreamDescription> DescribeStream(std::string_view stream_id,
                                           std::string_view inclusive_start_shard_id = {},
                                           int32_t shard_limit = 0);
  // DescribeStream paged until no next_shard_id remains: every shard, `next_shard_id` unset.
  // kCorruption when the server sends a page start it already sent (a paging loop).
  Result<StreamDescription> DescribeStreamAllShards(std::string_view stream_id,
                                                    int32_t shard_limit = 0);
  // An iterator at the oldest retained record of the shard, or, with `timestamp_micros`, at
  // the first record committed at or after it.
  Result<std::string> GetShardIterator(std::string_view stream_id, std::string_view shard_id,
                                       std::optional<int64_t> timestamp_micros = {});
  // Up to `limit` records (0 = the server's default) from `shard_iterator` into `*batch`,
  // reusing its memory (see StreamRecordBatch). Errors: kTrimmedDataAccess ("OTSTrimmedData
  // Access: <service message>") when the position is past retention; kInvalidArgument for an
  // empty, malformed or foreign iterator or a negative limit. On error `*batch` is empty.
  Status GetStreamRecord(std::string_view shard_iterator, int32_t limit, StreamRecordBatch* batch);

  // otsd's admin operations, for tests and tools: not Tablestore APIs. otsd serves them at
  // POST /_otsd/admin/<Op> only to requests signed with an admin key, so create the Client with
  // an admin key as its credentials (kAuthFailed otherwise). Like writes, they are retried only
  // on the always-retriable codes.
  // Splits an open shard at `key` (of the table's first primary-key column type: INTEGER,
  // STRING or BINARY); returns the two children, low then high.
  Result<std::vector<std::string>> AdminSplitShard(std::string_view table_name,
                                                   std::string_view shard_id,
                                                   const wire::Value& key);
  // Merges two adjacent open shards; returns the child.
  Result<std::string> AdminMergeShards(std::string_view table_name, std::string_view shard_a,
                                       std::string_view shard_b);
  // Runs a stream retention pass now.
  Result<AdminTrimResult> AdminTrimStreams();

 private:
  explicit Client(ClientOptions options, std::unique_ptr<HttpTransport> transport);

  // Sends `request` to "/<api>" with retries and parses a 2xx body into `*response`. Every API,
  // including the stream calls, goes through here. `reply`: where the answer is read (nullptr: a
  // reply of the call's own); a caller making many calls of large answers passes the same
  // HttpReply (and response) each time, and their buffers keep their capacity instead of being
  // allocated and faulted in afresh for every answer.
  Status Call(std::string_view api, const google::protobuf::MessageLite& request,
              google::protobuf::MessageLite* response, HttpReply* reply = nullptr);
  // Call with the 2xx body handed to `on_body` (which may take it over) instead of parsed into
  // a message. An error `on_body` returns ends the call and is not retried. `on_body` may run
  // while the body's MD5 is still being checked on a helper thread: it may move the string but
  // must leave its bytes in place until it returns, and its result (and what it wrote) is
  // discarded when the check then fails, and the call retried. `reply`: as above.
  Status Call(std::string_view api, const google::protobuf::MessageLite& request,
              const std::function<Status(std::string& body)>& on_body, HttpReply* reply = nullptr);
  // The retry loop under both: `body` is sent as is; `reply` is where each attempt's reply
  // is read (nullptr: a reply of the call's own).
  Status CallWithBody(std::string_view api, const std::string& body,
                      const std::function<Status(std::string& body)>& on_body,
                      HttpReply* reply = nullptr);
  Result<WriteResult> WriteSingleRow(std::string_view table_name, wire::WriteType type,
                                     const wire::RowWrite& write);

  ClientOptions options_;
  const wire::HmacKey signing_key_;  // options_.credentials.access_key_secret, for every request.
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace otsync::client
