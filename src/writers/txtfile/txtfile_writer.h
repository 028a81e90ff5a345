// The `txtfile` writer (DataX txtfilewriter): rows written to one file `fileName` in the
// directory `path`, as CSV (RFC 4180 quoting) or plain delimited text, Null as `nullFormat`,
// with an optional header line.
//
// Nothing half-written is ever visible: rows go to a hidden temporary file in `path`
// (".<fileName>.<pid>.<n>.otsync-tmp") that Commit fsyncs and renames into place; Abort and a
// killed job leave at most that temporary file, never a partial `fileName`.
// writeMode:
//   truncate     at Commit the new file replaces `fileName` (an atomic rename), then the other
//                files in `path` whose names start with `fileName` are removed (DataX removes
//                them before writing; here a failed job leaves them in place);
//   append       the new file is `fileName`, or `fileName__<n>` with the first free n;
//   nonConflict  Prepare fails when a file starting with `fileName` exists.
// FindCommittedWindow always answers nullopt: a text file keeps no record of windows, so a
// rerun writes the window again (truncate replaces it; append adds a second copy).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "sync/plugin_registry.h"
#include "sync/writer.h"
#include "writers/txtfile/txtfile_writer_spec.h"

namespace otsync::writers {

class TxtFileWriter final : public sync::Writer {
 public:
  explicit TxtFileWriter(TxtFileWriterSpec spec);
  ~TxtFileWriter() override;
  TxtFileWriter(const TxtFileWriter&) = delete;
  TxtFileWriter& operator=(const TxtFileWriter&) = delete;

  Status Prepare() override;
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
  // Lines are written once this many bytes are formatted (and at Commit): few, large writes.
  static constexpr size_t kWriteBytes = 1 << 20;

  void AppendField(std::string_view text);
  // A text-format line (no quoting) printed straight into `buffer_`, its room made once. False,
  // with nothing appended, when a field has no fixed bound (a binary's Base64): the caller
  // formats that line field by field.
  bool AppendTextLine(const sync::Record& record);
  // Writes out and empties `buffer_`.
  Status WriteBuffer();
  // Names in the directory starting with `file_name` (temporary files excluded).
  Result<std::vector<std::string>> ConflictingFiles() const;

  TxtFileWriterSpec spec_;
  std::string temp_path_;
  std::string final_path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;      // Formatted lines not yet written.
  std::string field_text_;  // One CSV field's text before quoting.
  int64_t rows_ = 0;
};

// The factory of the `txtfile` plugin.
Result<std::unique_ptr<sync::Writer>> MakeTxtFileWriter(const sync::PluginContext& context);

// The `txtfile` plugin: ParseTxtFileWriterSpec (txtfile_writer_spec.h) and MakeTxtFileWriter.
sync::WriterPlugin TxtFileWriterPlugin();

}  // namespace otsync::writers
