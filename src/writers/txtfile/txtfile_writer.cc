#include "writers/txtfile/txtfile_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <variant>

#include "sync/field_text.h"

namespace otsync::writers {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempSuffix = ".otsync-tmp";

Status ErrnoError(const std::string& what, const std::string& path) {
  return Status::IOError("txtfile writer: " + what + " '" + path + "': " + std::strerror(errno));
}

bool NeedsCsvQuotes(std::string_view text, char delimiter) {
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoError("opening directory", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoError("syncing directory", path);
  return Status::OK();
}

}  // namespace

TxtFileWriter::TxtFileWriter(TxtFileWriterSpec spec) : spec_(std::move(spec)) {}

TxtFileWriter::~TxtFileWriter() {
  if (file_ != nullptr) Abort();
}

Result<std::vector<std::string>> TxtFileWriter::ConflictingFiles() const {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(spec_.path, error)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(spec_.file_name) && !name.ends_with(kTempSuffix)) {
      names.push_back(std::move(name));
    }
  }
  if (error) {
    return Status::IOError("txtfile writer: listing '" + spec_.path + "': " + error.message());
  }
  return names;
}

Status TxtFileWriter::Prepare() {
  std::error_code error;
  fs::create_directories(spec_.path, error);
  if (error) {
    return Status::InvalidArgument("txtfile writer: path '" + spec_.path +
                                   "' is not a directory that can be created: " + error.message());
  }
  if (spec_.write_mode == TxtFileWriteMode::kNonConflict) {
    OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> existing, ConflictingFiles());
    if (!existing.empty()) {
      return Status::InvalidArgument("txtfile writer: writeMode is nonConflict but '" +
                                     existing.front() + "' already exists in '" + spec_.path + "'");
    }
  }
  static std::atomic<int> sequence{0};
  temp_path_ =
      (fs::path(spec_.path) / ("." + spec_.file_name + "." + std::to_string(::getpid()) + "." +
                               std::to_string(sequence++) + std::string(kTempSuffix)))
          .string();
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) return ErrnoError("creating", temp_path_);
  if (!spec_.header.empty()) {
    buffer_.clear();
    for (size_t i = 0; i < spec_.header.size(); ++i) {
      if (i > 0) buffer_ += spec_.field_delimiter;
      AppendField(spec_.header[i]);
    }
    buffer_ += '\n';
    return WriteBuffer();
  }
  return Status::OK();
}

void TxtFileWriter::AppendField(std::string_view text) {
  if (spec_.file_format == TxtFileFormat::kCsv && NeedsCsvQuotes(text, spec_.field_delimiter)) {
    buffer_ += '"';
    for (char c : text) {
      if (c == '"') buffer_ += '"';
      buffer_ += c;
    }
    buffer_ += '"';
    return;
  }
  buffer_ += text;
}

Status TxtFileWriter::WriteBuffer() {
  const size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  const bool complete = written == buffer_.size();
  buffer_.clear();
  if (!complete) return ErrnoError("writing", temp_path_);
  return Status::OK();
}

bool TxtFileWriter::AppendTextLine(const sync::Record& record) {
  constexpr size_t kIntegerBound = 20;      // "-9223372036854775808"
  constexpr size_t kDoubleBound = 32;       // The shortest round-trip form takes at most 24.
  size_t bound = record.fields.size() + 1;  // Delimiters and the newline.
  for (const sync::Field& field : record.fields) {
    switch (field.type()) {
      case wire::ValueType::kNull:
        bound += spec_.null_format.size();
        break;
      case wire::ValueType::kInteger:
        bound += kIntegerBound;
        break;
      case wire::ValueType::kDouble:
        bound += kDoubleBound;
        break;
      case wire::ValueType::kBoolean:
        bound += 5;
        break;
      case wire::ValueType::kString:
        bound += field.bytes().size();
        break;
      default:
        return false;
    }
  }
  const size_t start = buffer_.size();
  buffer_.resize(start + bound);
  char* out = buffer_.data() + start;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (i > 0) *out++ = spec_.field_delimiter;
    const sync::Field& field = record.fields[i];
    switch (field.type()) {
      case wire::ValueType::kNull:
        out = std::copy(spec_.null_format.begin(), spec_.null_format.end(), out);
        break;
      case wire::ValueType::kInteger:
        out = std::to_chars(out, out + kIntegerBound, field.integer()).ptr;
        break;
      case wire::ValueType::kDouble: {
        std::to_chars_result printed = std::to_chars(out, out + kDoubleBound, field.double_value());
        out = printed.ec == std::errc() ? printed.ptr : std::copy_n("NaN", 3, out);
        break;
      }
      case wire::ValueType::kBoolean:
        out = field.boolean() ? std::copy_n("true", 4, out) : std::copy_n("false", 5, out);
        break;
      default:  // kString
        out = std::copy(field.bytes().begin(), field.bytes().end(), out);
        break;
    }
  }
  *out++ = '\n';
  buffer_.resize(static_cast<size_t>(out - buffer_.data()));
  return true;
}

Status TxtFileWriter::Write(const std::vector<sync::Record>& records,
                            std::vector<sync::DirtyRecord>* dirty) {
  if (file_ == nullptr) return Status::Internal("txtfile writer: Write before Prepare");
  const bool csv = spec_.file_format == TxtFileFormat::kCsv;
  for (size_t r = 0; r < records.size(); ++r) {
    const sync::Record& record = records[r];
    sync::PrefetchRecordsAfter(records, r);
    if (!csv && AppendTextLine(record)) continue;
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) buffer_ += spec_.field_delimiter;
      const sync::Field& field = record.fields[i];
      if (field.type() == wire::ValueType::kNull) {
        buffer_ += spec_.null_format;
      } else if (!csv) {
        sync::AppendFieldText(field, spec_.null_format, &buffer_);
      } else if (field.type() == wire::ValueType::kString) {
        AppendField(field.bytes());
      } else {
        field_text_.clear();
        sync::AppendFieldText(field, spec_.null_format, &field_text_);
        AppendField(field_text_);
      }
    }
    buffer_ += '\n';
  }
  rows_ += static_cast<int64_t>(records.size());
  return buffer_.size() >= kWriteBytes ? WriteBuffer() : Status::OK();
}

Status TxtFileWriter::Commit(const sync::CommittedWindow& window) {
  if (file_ == nullptr) return Status::Internal("txtfile writer: Commit before Prepare");
  if (Status written = WriteBuffer(); !written.ok()) {
    Abort();
    return written;
  }
  bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  int close_rc = std::fclose(file_);
  file_ = nullptr;
  if (!flushed || close_rc != 0) {
    Status error = ErrnoError("flushing", temp_path_);
    ::unlink(temp_path_.c_str());
    return error;
  }
  OTSYNC_ASSIGN_OR_RETURN(std::vector<std::string> existing, ConflictingFiles());
  std::string final_name = spec_.file_name;
  switch (spec_.write_mode) {
    case TxtFileWriteMode::kTruncate:
      break;  // The other files go once the new one is in place.
    case TxtFileWriteMode::kAppend:
      for (int n = 1; fs::exists(fs::path(spec_.path) / final_name); ++n) {
        final_name = spec_.file_name + "__" + std::to_string(n);
      }
      break;
    case TxtFileWriteMode::kNonConflict:
      if (!existing.empty()) {
        ::unlink(temp_path_.c_str());
        return Status::IOError("txtfile writer: '" + existing.front() + "' appeared in '" +
                               spec_.path + "' while the job ran");
      }
      break;
  }
  final_path_ = (fs::path(spec_.path) / final_name).string();
  // rename replaces an existing `fileName` atomically (truncate mode).
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    Status error = ErrnoError("renaming the temporary file to", final_path_);
    ::unlink(temp_path_.c_str());
    return error;
  }
  if (spec_.write_mode == TxtFileWriteMode::kTruncate) {
    for (const std::string& name : existing) {
      std::string path = (fs::path(spec_.path) / name).string();
      if (name != spec_.file_name && ::unlink(path.c_str()) != 0) {
        return ErrnoError("removing", path);
      }
    }
  }
  return SyncDirectory(spec_.path);
}

void TxtFileWriter::Abort() {
  buffer_.clear();
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (!temp_path_.empty() && final_path_.empty()) ::unlink(temp_path_.c_str());
}

std::string TxtFileWriter::DescribeDestination() const {
  std::string format = spec_.file_format == TxtFileFormat::kCsv ? "CSV" : "text";
  std::string path =
      final_path_.empty() ? (fs::path(spec_.path) / spec_.file_name).string() : final_path_;
  return std::to_string(rows_) + " rows in " + format + " file " + path;
}

Result<std::unique_ptr<sync::Writer>> MakeTxtFileWriter(const sync::PluginContext& context) {
  const auto* spec = context.job.writer.parameters.As<TxtFileWriterSpec>();
  if (spec == nullptr) {
    return Status::InvalidArgument("the txtfile writer needs txtfile writer parameters");
  }
  return std::unique_ptr<sync::Writer>(std::make_unique<TxtFileWriter>(*spec));
}

sync::WriterPlugin TxtFileWriterPlugin() {
  sync::WriterPlugin plugin;
  plugin.name = "txtfile";
  plugin.parse_spec = [](const sync::ConfigObject& parameter,
                         sync::SpecParseContext& context) -> Result<sync::PluginSpec> {
    OTSYNC_ASSIGN_OR_RETURN(TxtFileWriterSpec spec,
                            ParseTxtFileWriterSpec(parameter, context.warnings));
    return sync::PluginSpec::Of(std::move(spec));
  };
  plugin.make = MakeTxtFileWriter;
  return plugin;
}

}  // namespace otsync::writers
