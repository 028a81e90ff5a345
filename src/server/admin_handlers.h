// The admin operations of otsd (issue 3): re-partition a table's stream (split a shard at a key,
// merge two adjacent shards) and run a retention pass now. They are not public API names: each
// is served at POST /_otsd/admin/<Op>, with the usual V2-signed headers, and only to requests
// signed with one of the credentials' admin keys (403 OTSAuthFailed otherwise; with --no-auth
// nothing is signed, so nothing is admin). The instance is the request's x-ots-instancename.
//
// Bodies are small JSON objects; replies are JSON on success and the usual protobuf Error
// otherwise:
//   _otsd/admin/SplitShard   {"table": T, "shard_id": S, "key": K}  -> {"children": [low, high]}
//     K has the type of the table's first primary-key column: a JSON integer (or decimal
//     string) for INTEGER, a string for STRING, base64 text for BINARY.
//   _otsd/admin/MergeShards  {"table": T, "shard_a": A, "shard_b": B} -> {"child": C}
//   _otsd/admin/Trim         {}  -> {"shards_trimmed": N, "shards_removed": M}
#pragma once

#include <string_view>

#include "server/request_dispatcher.h"

namespace otsync::server {

inline constexpr std::string_view kAdminSplitShardApi = "_otsd/admin/SplitShard";
inline constexpr std::string_view kAdminMergeShardsApi = "_otsd/admin/MergeShards";
inline constexpr std::string_view kAdminTrimApi = "_otsd/admin/Trim";

void RegisterAdminHandlers(RequestDispatcher* dispatcher);

}  // namespace otsync::server
