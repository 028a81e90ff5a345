// Fields as text, for the writers that print or write delimited files and for dirty-record
// logs: integers in decimal, doubles in the shortest form that reads back exactly, booleans as
// true/false, strings as they are, binaries in Base64 (standard alphabet, padded) so that a
// text line never carries raw bytes.
#pragma once

#include <string>
#include <string_view>

#include "sync/record.h"

namespace otsync::sync {

// `null_text` stands for a Null field.
std::string FieldToText(const Field& field, std::string_view null_text);

// FieldToText appended to `*out`, without a string of its own: a writer formatting many fields
// into one buffer allocates nothing per field.
void AppendFieldText(const Field& field, std::string_view null_text, std::string* out);

// True for "UTF-8" in any case, with or without the dash: the only encoding otsync writes text in.
bool IsUtf8EncodingName(std::string_view encoding);

}  // namespace otsync::sync
