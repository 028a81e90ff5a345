// Order-preserving encoding of row keys.
//
// Layout of a row key (column family "rows"):
//   [table id: u64 big-endian] then, per primary-key column, [marker byte][payload]
//   marker 0x00 = INF_MIN, 0x01 = a real value, 0x02 = INF_MAX (bounds only, never stored).
//   INTEGER payload: 8 bytes big-endian with the sign bit flipped (numeric order, negatives first).
//   STRING / BINARY payload: the bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01
//   (bytewise unsigned order, and no encoded value is a prefix of another).
// Invariant: for keys of one table that match its schema, memcmp order of the encodings equals
// wire::ComparePrimaryKeys order, INF_MIN/INF_MAX included. Table ids are never reused, so the
// rows of a dropped table can never reappear under a new table of the same name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/row.h"
#include "wire/table_schema.h"

namespace otsync::store {

inline constexpr size_t kTableIdSize = 8;

std::string TableKeyPrefix(uint64_t table_id);
// The first key after every key that starts with TableKeyPrefix(table_id).
std::string TableKeyLimit(uint64_t table_id);

// REQUIRED: each value is INTEGER, STRING, BINARY, INF_MIN or INF_MAX.
void AppendPrimaryKey(const wire::PrimaryKey& primary_key, std::string* out);
std::string EncodeRowKey(uint64_t table_id, const wire::PrimaryKey& primary_key);

// Decodes a stored row key (prefix included) back to a primary key named by `schema`, into
// `*primary_key`, whose columns and their buffers are reused: a scan decoding a key per row
// allocates nothing once its first key was decoded. On an error `*primary_key` holds any columns.
Status DecodeRowKeyInto(std::string_view key,
                        const std::vector<wire::PrimaryKeySchemaColumn>& schema,
                        wire::PrimaryKey* primary_key);

}  // namespace otsync::store
