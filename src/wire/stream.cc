#include "wire/stream.h"

namespace otsync::wire {

std::string_view StreamActionName(StreamAction action) {
  switch (action) {
    case StreamAction::kPutRow:
      return "PUT_ROW";
    case StreamAction::kUpdateRow:
      return "UPDATE_ROW";
    case StreamAction::kDeleteRow:
      return "DELETE_ROW";
  }
  return "UNKNOWN";
}

StreamAction StreamActionOf(WriteType type) {
  switch (type) {
    case WriteType::kPut:
      return StreamAction::kPutRow;
    case WriteType::kUpdate:
      return StreamAction::kUpdateRow;
    case WriteType::kDelete:
      return StreamAction::kDeleteRow;
  }
  return StreamAction::kPutRow;
}

bool StreamActionFromNumber(uint64_t number, StreamAction* action) {
  switch (number) {
    case static_cast<uint64_t>(StreamAction::kPutRow):
    case static_cast<uint64_t>(StreamAction::kUpdateRow):
    case static_cast<uint64_t>(StreamAction::kDeleteRow):
      *action = static_cast<StreamAction>(number);
      return true;
    default:
      return false;
  }
}

}  // namespace otsync::wire
