// The stream model shared by the client, the storage engine and the server: what a stream record
// says happened to its row, and a stream's status (docs/protocol.md §2.6, §3.10). Plain data.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/operations.h"

namespace otsync::wire {

// The numeric values are Tablestore's ActionType.
enum class StreamAction : uint8_t { kPutRow = 1, kUpdateRow = 2, kDeleteRow = 3 };

// The numeric values are Tablestore's StreamStatus.
enum class StreamStatus : uint8_t { kEnabling = 1, kActive = 2 };

std::string_view StreamActionName(StreamAction action);  // "PUT_ROW", "UPDATE_ROW", ...

// The action a committed write of `type` records: PutRow → PUT_ROW, UpdateRow → UPDATE_ROW,
// DeleteRow → DELETE_ROW.
StreamAction StreamActionOf(WriteType type);

// The action whose ActionType number is `number`; false when it names none.
bool StreamActionFromNumber(uint64_t number, StreamAction* action);

}  // namespace otsync::wire
