#!/usr/bin/env bash
# Writes the seed inputs of fuzz/corpus/ that are binary: PlainBuffer rows (the test vectors of
# src/wire/plain_buffer_test.cc) and otsd requests (one API byte, then the protobuf body, encoded
# by protoc from its text form below). The text seeds of the other targets are kept as files.
# Run from the repository root; needs xxd and protoc.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rows: a PK only; a put; integers and a timestamp; double and boolean; update operations with
# the Node SDK's padding; a delete marker; INF_MIN and INF_MAX keys; stream put/update/delete.
declare -A ROWS=(
  [pk_only]=7500000001030402000000706b05060000000301000000610ad409ee
  [put_string]=7500000001030402000000706b05060000000301000000610ad4020304010000006305060000000301000000760ade09e8
  [integers_timestamp]=7500000001030402000000696405090000000001000000000000000a0a020304010000006e050900000000050000000000000007e8030000000000000abf090b
  [double_boolean]=7500000001030402000000706b05060000000301000000610ad40203040100000064050900000001000000000000f83f0aba03040100000062050200000002010a3e09d7
  [update_operations]=7500000001030402000000706b05060000000301000000610ad4020304010000007805060000000301000000790aac0304010000007a060307e8030000000000000ab00304010000007706010ace0304010000006b050900000000020000000000000006040a0b096b0000000000
  [delete_marker]=7500000001030402000000706b05060000000301000000610ad40809e9
  [inf_min]=7500000001030402000000706b0501000000090a3a097b00
  [inf_max]=7500000001030402000000706b05010000000a0a3309c600
  [stream_put]=7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007607e8030000000000000a550b180000000c130000000d010000000e00401e18240a06000f0000000009c9
  [stream_update]=7500000001030402000000706b05060000000301000000610ad40203040100000063050600000003010000007707d0070000000000000a9803040100000064060307e8030000000000000a1c0304010000006506010ab30b180000000c130000000d010000000e01401e18240a06000f00000000092c
  [stream_delete]=7500000001030402000000706b05060000000301000000610ad4080b180000000c130000000d010000000e02401e18240a06000f0000000009e9
)
mkdir -p fuzz/corpus/plain_buffer fuzz/corpus/ots_request
for name in "${!ROWS[@]}"; do
  xxd -r -p <<<"${ROWS[$name]}" >"fuzz/corpus/plain_buffer/$name"
done
# SQLVariant values: an integer, a string, a double.
printf '\x00\x07\x00\x00\x00\x00\x00\x00\x00' >fuzz/corpus/plain_buffer/variant_integer
printf '\x03\x02\x00\x00\x00ab' >fuzz/corpus/plain_buffer/variant_string
printf '\x01\x00\x00\x00\x00\x00\x00\xf8\x3f' >fuzz/corpus/plain_buffer/variant_double

# A row as protobuf text: every byte as a three-digit octal escape.
text_bytes() { xxd -r -p <<<"${ROWS[$1]}" | od -An -v -to1 | tr -s ' \n' ' ' | sed 's/ \([0-7]\{3\}\)/\\\1/g; s/ //g'; }

# The API byte is the index in kApis of fuzz/ots_request_fuzzer.cc.
request() {  # NAME API_INDEX MESSAGE TEXT
  { printf "\\x$(printf '%02x' "$2")"
    protoc --encode="otsync.proto.$3" -I . proto/table_store.proto <<<"$4"
  } >"fuzz/corpus/ots_request/$1"
}
request create_table 0 CreateTableRequest 'table_meta { table_name: "u" primary_key { name: "id" type: INTEGER } primary_key { name: "k" type: BINARY } defined_column { name: "c" type: DCT_STRING } } reserved_throughput { capacity_unit { read: 0 write: 0 } } table_options { time_to_live: -1 max_versions: 2 } stream_spec { enable_stream: true expiration_time: 24 }'
request list_table 1 ListTableRequest ''
request describe_table 2 DescribeTableRequest 'table_name: "t"'
request update_table 3 UpdateTableRequest 'table_name: "t" table_options { max_versions: 3 } stream_spec { enable_stream: false }'
request delete_table 4 DeleteTableRequest 'table_name: "t"'
request split_points 5 ComputeSplitPointsBySizeRequest 'table_name: "t" split_size: 1'
request get_row 6 GetRowRequest "table_name: \"t\" primary_key: \"$(text_bytes pk_only)\" max_versions: 1"
request put_row 7 PutRowRequest "table_name: \"t\" row: \"$(text_bytes double_boolean)\" condition { row_existence: IGNORE } return_content { return_type: RT_PK }"
request update_row 8 UpdateRowRequest "table_name: \"t\" row_change: \"$(text_bytes update_operations)\" condition { row_existence: EXPECT_EXIST }"
request delete_row 9 DeleteRowRequest "table_name: \"t\" primary_key: \"$(text_bytes delete_marker)\" condition { row_existence: IGNORE }"
request batch_get_row 10 BatchGetRowRequest "tables { table_name: \"t\" primary_key: \"$(text_bytes pk_only)\" primary_key: \"$(text_bytes pk_only)\" max_versions: 1 }"
request batch_write_row 11 BatchWriteRowRequest "tables { table_name: \"t\" rows { type: PUT row_change: \"$(text_bytes put_string)\" condition { row_existence: IGNORE } } rows { type: DELETE row_change: \"$(text_bytes delete_marker)\" condition { row_existence: EXPECT_EXIST } } }"
request get_range 12 GetRangeRequest "table_name: \"t\" direction: FORWARD max_versions: 1 limit: 2 inclusive_start_primary_key: \"$(text_bytes inf_min)\" exclusive_end_primary_key: \"$(text_bytes inf_max)\""
request get_range_backward 12 GetRangeRequest "table_name: \"t\" direction: BACKWARD max_versions: 1 inclusive_start_primary_key: \"$(text_bytes inf_max)\" exclusive_end_primary_key: \"$(text_bytes inf_min)\""
request list_stream 13 ListStreamRequest 'table_name: "t"'
request describe_stream 14 DescribeStreamRequest 'stream_id: "FIXTURE_STREAM" shard_limit: 10'
request get_shard_iterator 15 GetShardIteratorRequest 'stream_id: "FIXTURE_STREAM" shard_id: "FIXTURE_SHARD"'
request get_stream_record 16 GetStreamRecordRequest 'shard_iterator: "FIXTURE_ITERATOR" limit: 2'
printf '\x11{"table":"t","shard_id":"FIXTURE_SHARD","key":"b"}' >fuzz/corpus/ots_request/admin_split
printf '\x12{"table":"t","shard_a":"FIXTURE_SHARD","shard_b":"FIXTURE_SHARD"}' >fuzz/corpus/ots_request/admin_merge
printf '\x13{}' >fuzz/corpus/ots_request/admin_trim
