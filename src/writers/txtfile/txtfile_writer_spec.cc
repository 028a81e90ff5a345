#include "writers/txtfile/txtfile_writer_spec.h"

#include "sync/field_text.h"

namespace otsync::writers {

using sync::AsciiLower;
using sync::ConfigError;
using sync::ConfigObject;
using sync::IsUtf8EncodingName;

Result<TxtFileWriterSpec> ParseTxtFileWriterSpec(const ConfigObject& parameter,
                                                 std::vector<std::string>& /*warnings*/) {
  TxtFileWriterSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(spec.path,
                          parameter.GetRequiredString("path", "the directory to write into"));
  OTSYNC_ASSIGN_OR_RETURN(spec.file_name,
                          parameter.GetRequiredString("fileName", "the output file name prefix"));
  if (spec.file_name.find('/') != std::string::npos) {
    return ConfigError(parameter.PathOf("fileName"), "expected a file name without '/'");
  }
  OTSYNC_ASSIGN_OR_RETURN(
      std::string write_mode,
      parameter.GetRequiredString("writeMode", "one of truncate, append, nonConflict"));
  std::string mode = AsciiLower(write_mode);
  if (mode == "truncate") {
    spec.write_mode = TxtFileWriteMode::kTruncate;
  } else if (mode == "append") {
    spec.write_mode = TxtFileWriteMode::kAppend;
  } else if (mode == "nonconflict") {
    spec.write_mode = TxtFileWriteMode::kNonConflict;
  } else {
    return ConfigError(parameter.PathOf("writeMode"),
                       "expected one of truncate, append, nonConflict, got \"" + write_mode + "\"");
  }

  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> format, parameter.GetString("fileFormat"));
  if (format.has_value()) {
    std::string lower = AsciiLower(*format);
    if (lower == "csv") {
      spec.file_format = TxtFileFormat::kCsv;
    } else if (lower == "text") {
      spec.file_format = TxtFileFormat::kText;
    } else {
      return ConfigError(parameter.PathOf("fileFormat"),
                         "expected csv or text, got \"" + *format + "\"");
    }
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> delimiter,
                          parameter.GetString("fieldDelimiter"));
  if (delimiter.has_value()) {
    if (delimiter->size() != 1) {
      return ConfigError(parameter.PathOf("fieldDelimiter"),
                         "expected exactly one character, got \"" + *delimiter + "\"");
    }
    spec.field_delimiter = (*delimiter)[0];
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> encoding, parameter.GetString("encoding"));
  if (encoding.has_value() && !IsUtf8EncodingName(*encoding)) {
    return ConfigError(parameter.PathOf("encoding"),
                       "expected UTF-8, the only supported encoding, got \"" + *encoding + "\"");
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> null_format,
                          parameter.GetString("nullFormat"));
  if (null_format.has_value()) spec.null_format = *null_format;
  OTSYNC_ASSIGN_OR_RETURN(spec.date_format, parameter.GetString("dateFormat"));
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> header,
                          parameter.GetStringList("header"));
  if (header.has_value()) spec.header = std::move(*header);
  return spec;
}

}  // namespace otsync::writers
