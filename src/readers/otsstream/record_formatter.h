// Stream records -> output rows, exactly as DataX's otsstreamreader shapes them
// (docs/datax-semantics.md §2).
//
// Multi-version mode, one row per cell change:
//   pk_1 … pk_n | columnName | timestamp | columnValue | opType | [sequenceInfo]
// with opType U (put), DO (delete one version), DA (delete all versions), DR (delete row); a
// PUT record is a DR row followed by one row per cell. sequenceInfo is
// "%010d_%020d_%010d_<shard>:%010d" over (epoch, write time µs, row index, shard, column index).
//
// single_version_and_update_only mode, one row per PUT/UPDATE record: the configured columns in
// order, each the primary-key or put-cell value of that name (null when absent); DELETE records
// and rows where every configured column is null are not emitted; sequenceInfo has no ":colIdx".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "client/client.h"
#include "readers/otsstream/otsstream_reader_spec.h"
#include "sync/reader.h"
#include "sync/record.h"

namespace otsync::readers::otsstream {

struct RecordFormat {
  OtsStreamMode mode = OtsStreamMode::kMultiVersion;
  bool export_sequence_info = false;
  std::vector<std::string> columns;  // single_version_and_update_only only.
};

// "%010d_%020d_%010d_%s" over the record's sequence and the shard.
std::string SequenceInfoText(const wire::SequenceInfo& sequence, std::string_view shard_id);

// OK when `record` can be formatted; else kInvalidArgument with DataX's message for what a row
// cannot carry ("Unknown primary key type: INF_MIN.").
Status CheckStreamRecord(const client::StreamRecord& record, const RecordFormat& format);

// REQUIRES: CheckStreamRecord(record, format) is OK.
// Hands the output rows of `record`, read from `shard_id`, to `sink` in order, each filled into a
// record of RecordSink::TakeRecord; returns the first failed Emit (kAborted: the job stops).
Status EmitStreamRecordRows(const client::StreamRecord& record, std::string_view shard_id,
                            const RecordFormat& format, sync::RecordSink& sink);

// CheckStreamRecord, then the output rows appended to `*out` (nothing on error).
Status FormatStreamRecord(const client::StreamRecord& record, std::string_view shard_id,
                          const RecordFormat& format, std::vector<sync::Record>* out);

}  // namespace otsync::readers::otsstream
