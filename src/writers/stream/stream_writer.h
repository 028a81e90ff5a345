// The `stream` writer (DataX streamwriter): rows printed to standard output, one per line,
// fields joined by `fieldDelimiter` (a tab by default) as sync/field_text.h writes them, Null
// as "null"; with print=false rows are only counted.
//
// Printed rows cannot be taken back: Abort only stops printing, and FindCommittedWindow always
// answers nullopt (standard output keeps no record of windows, so every run prints its window).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/plugin_registry.h"
#include "sync/writer.h"
#include "writers/stream/stream_writer_spec.h"

namespace otsync::writers {

class StreamWriter final : public sync::Writer {
 public:
  StreamWriter(StreamWriterSpec spec, std::ostream& out) : spec_(std::move(spec)), out_(out) {}

  Status Prepare() override { return Status::OK(); }
  Result<std::optional<sync::CommittedWindow>> FindCommittedWindow(
      const sync::WindowKey& key) override {
    return std::optional<sync::CommittedWindow>();
  }
  Status Write(const std::vector<sync::Record>& records,
               std::vector<sync::DirtyRecord>* dirty) override;
  Status Commit(const sync::CommittedWindow& window) override;
  void Abort() override;
  std::string DescribeDestination() const override;

 private:
  StreamWriterSpec spec_;
  std::ostream& out_;
  int64_t rows_ = 0;
  std::string buffer_;
};

// The factory of the `stream` plugin: prints to the context's data_out.
Result<std::unique_ptr<sync::Writer>> MakeStreamWriter(const sync::PluginContext& context);

// The `stream` plugin: ParseStreamWriterSpec (stream_writer_spec.h) and MakeStreamWriter.
sync::WriterPlugin StreamWriterPlugin();

}  // namespace otsync::writers
