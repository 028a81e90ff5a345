#include "writers/stream/stream_writer.h"

#include <variant>

#include "sync/field_text.h"

namespace otsync::writers {

Status StreamWriter::Write(const std::vector<sync::Record>& records,
                           std::vector<sync::DirtyRecord>* dirty) {
  rows_ += static_cast<int64_t>(records.size());
  if (!spec_.print) return Status::OK();
  buffer_.clear();
  for (const sync::Record& record : records) {
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) buffer_ += spec_.field_delimiter;
      sync::AppendFieldText(record.fields[i], "null", &buffer_);
    }
    buffer_ += '\n';
  }
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (!out_) return Status::IOError("stream writer: writing to standard output failed");
  return Status::OK();
}

Status StreamWriter::Commit(const sync::CommittedWindow& window) {
  out_.flush();
  if (!out_) return Status::IOError("stream writer: flushing standard output failed");
  return Status::OK();
}

void StreamWriter::Abort() { out_.flush(); }

std::string StreamWriter::DescribeDestination() const {
  if (!spec_.print) return std::to_string(rows_) + " rows counted and discarded (print: false)";
  return std::to_string(rows_) + " rows printed to standard output";
}

Result<std::unique_ptr<sync::Writer>> MakeStreamWriter(const sync::PluginContext& context) {
  const auto* spec = context.job.writer.parameters.As<StreamWriterSpec>();
  if (spec == nullptr) {
    return Status::InvalidArgument("the stream writer needs stream writer parameters");
  }
  return std::unique_ptr<sync::Writer>(std::make_unique<StreamWriter>(*spec, context.data_out));
}

sync::WriterPlugin StreamWriterPlugin() {
  sync::WriterPlugin plugin;
  plugin.name = "stream";
  plugin.parse_spec = [](const sync::ConfigObject& parameter,
                         sync::SpecParseContext& context) -> Result<sync::PluginSpec> {
    OTSYNC_ASSIGN_OR_RETURN(StreamWriterSpec spec,
                            ParseStreamWriterSpec(parameter, context.warnings));
    return sync::PluginSpec::Of(std::move(spec));
  };
  plugin.make = MakeStreamWriter;
  return plugin;
}

}  // namespace otsync::writers
