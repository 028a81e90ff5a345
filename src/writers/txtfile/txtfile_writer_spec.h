// The parameters of the `txtfile` writer (DataX txtfilewriter): rows written to a local CSV or
// delimited text file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/config_object.h"

namespace otsync::writers {

enum class TxtFileWriteMode {
  kTruncate,     // Remove files in `path` starting with `file_name` first.
  kAppend,       // Add a new file beside existing ones.
  kNonConflict,  // Fail when a file starting with `file_name` exists.
};

enum class TxtFileFormat {
  kText,  // Fields joined by the delimiter as they are.
  kCsv,   // RFC 4180 quoting.
};

struct TxtFileWriterSpec {
  std::string path;  // Directory.
  std::string file_name;
  TxtFileWriteMode write_mode = TxtFileWriteMode::kTruncate;
  TxtFileFormat file_format = TxtFileFormat::kText;
  char field_delimiter = ',';
  std::string encoding = "UTF-8";
  std::string null_format = "\\N";
  std::optional<std::string> date_format;
  std::vector<std::string> header;  // Empty: no header line.

  bool operator==(const TxtFileWriterSpec&) const = default;
};

Result<TxtFileWriterSpec> ParseTxtFileWriterSpec(const sync::ConfigObject& parameter,
                                                 std::vector<std::string>& warnings);

}  // namespace otsync::writers
