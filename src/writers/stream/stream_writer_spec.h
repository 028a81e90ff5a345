// The parameters of the `stream` writer (DataX streamwriter): rows printed to standard output.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sync/config_object.h"

namespace otsync::writers {

struct StreamWriterSpec {
  bool print = true;  // false: rows are counted and discarded.
  std::string encoding = "UTF-8";
  std::string field_delimiter = "\t";

  bool operator==(const StreamWriterSpec&) const = default;
};

Result<StreamWriterSpec> ParseStreamWriterSpec(const sync::ConfigObject& parameter,
                                               std::vector<std::string>& warnings);

}  // namespace otsync::writers
