#include "writers/stream/stream_writer_spec.h"

#include "sync/field_text.h"

namespace otsync::writers {

using sync::ConfigObject;
using sync::IsUtf8EncodingName;

Result<StreamWriterSpec> ParseStreamWriterSpec(const ConfigObject& parameter,
                                               std::vector<std::string>& /*warnings*/) {
  StreamWriterSpec spec;
  OTSYNC_ASSIGN_OR_RETURN(std::optional<bool> print, parameter.GetBool("print"));
  spec.print = print.value_or(true);
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> encoding, parameter.GetString("encoding"));
  if (encoding.has_value()) {
    if (!IsUtf8EncodingName(*encoding)) {
      return Status::InvalidArgument(parameter.PathOf("encoding") +
                                     ": expected UTF-8, the only supported encoding, got \"" +
                                     *encoding + "\"");
    }
    spec.encoding = "UTF-8";
  }
  OTSYNC_ASSIGN_OR_RETURN(std::optional<std::string> delimiter,
                          parameter.GetString("fieldDelimiter"));
  if (delimiter.has_value()) {
    if (delimiter->empty()) {
      return Status::InvalidArgument(parameter.PathOf("fieldDelimiter") +
                                     ": expected a non-empty delimiter");
    }
    spec.field_delimiter = *delimiter;
  }
  return spec;
}

}  // namespace otsync::writers
