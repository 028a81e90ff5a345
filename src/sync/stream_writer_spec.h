// The parameters of the `stream` writer (DataX streamwriter): rows printed to standard output.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sync/config_object.h"

namespace otsync::sync {

struct StreamWriterSpec {
  bool print = true;  // false: rows are counted and discarded.
  std::string encoding = "UTF-8";
  std::string field_delimiter = "\t";

  bool operator==(const StreamWriterSpec&) const = default;
};

Result<StreamWriterSpec> ParseStreamWriterSpec(const ConfigObject& parameter,
                                               std::vector<std::string>& warnings);

// True for "UTF-8" in any case, with or without the dash: the only encoding otsync writes.
bool IsUtf8EncodingName(std::string_view encoding);

}  // namespace otsync::sync
