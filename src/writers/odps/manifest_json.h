// The JSON pieces of the files in <warehouse>/_manifests: the writer and reader of one object,
// the codecs of the entries a complete manifest (manifest.h) and a manifest delta
// (manifest_delta.h) share, and the checksummed frame around each file's body. Internal to
// writers/odps.
//
// The JSON is written and read by hand: every process reads the state, and with thousands of
// partitions and windows a DOM library (nlohmann) spent tens of milliseconds each way.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "writers/odps/manifest.h"

namespace otsync::odps::manifest_json {

// Writes one JSON object member by member: `"key":value`, comma-separated. `valid` turns false
// when a string is not UTF-8, which JSON cannot hold.
class ObjectWriter {
 public:
  ObjectWriter(std::string& out, bool& valid) : out_(out), valid_(valid) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void String(std::string_view key, std::string_view value);
  // `bytes` as a JSON string of hex digits, which need no escaping.
  void HexString(std::string_view key, std::string_view bytes);
  void Integer(std::string_view key, int64_t value);
  void Boolean(std::string_view key, bool value);
  // Begins `"key":[`; the caller writes the items, each after Item(), and calls EndArray().
  void BeginArray(std::string_view key);
  // Separates the items of the open array; an item object is made with Nested().
  void Item();
  void EndArray() { out_ += ']'; }
  // A writer for an object nested here (an array item, after Item()).
  ObjectWriter Nested() { return ObjectWriter(out_, valid_); }

 private:
  void Key(std::string_view key);

  std::string& out_;
  bool& valid_;
  bool first_member_ = true;
  bool first_item_ = true;
};

// Reads the members of one JSON object; an absent or mistyped member is named in the error.
class ObjectReader {
 public:
  ObjectReader(simdjson::dom::object object, std::string_view where)
      : object_(object), where_(where) {}

  Status Integer(const char* key, int64_t* out) const;
  Status Boolean(const char* key, bool* out) const;
  Status String(const char* key, std::string* out) const;
  // `key`'s hex digits as bytes.
  Status HexString(const char* key, std::string* out) const;
  // Calls `read` with a reader of each object in the array `key`.
  Status EachObject(const char* key,
                    const std::function<Status(const ObjectReader& item)>& read) const;

 private:
  Status Bad(const char* key) const;

  simdjson::dom::object object_;
  std::string_view where_;
};

// The members of each entry, written into an open object and read back from one. A table's
// header is its schema and creation time, without its partitions; a window's identity is what
// the ledger keys it by (table, partition, window key).
void WriteTableHeader(ObjectWriter& object, const TableEntry& table);
Status ReadTableHeader(const ObjectReader& object, TableEntry* table);
void WritePartition(ObjectWriter& object, const PartitionEntry& partition);
Status ReadPartition(const ObjectReader& object, PartitionEntry* partition);
void WriteWindowIdentity(ObjectWriter& object, const WindowEntry& window);
Status ReadWindowIdentity(const ObjectReader& object, WindowEntry* window);
void WriteWindow(ObjectWriter& object, const WindowEntry& window);
Status ReadWindow(const ObjectReader& object, WindowEntry* window);
void WriteRetiredFile(ObjectWriter& object, const RetiredFile& file);
Status ReadRetiredFile(const ObjectReader& object, RetiredFile* file);

// "<header prefix><crc32 of body, 8 hex digits>\n<body>".
std::string Frame(std::string_view header_prefix, std::string_view body);
// The body of a framed file, or kCorruption "the <what> <origin> is damaged: ..." when the header
// or the checksum is wrong.
Result<std::string_view> CheckedBody(std::string_view text, std::string_view header_prefix,
                                     std::string_view what, std::string_view origin);
// Parses `body` as one JSON object into `parser`'s document, or kCorruption as CheckedBody.
Result<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser, std::string_view body,
                                          std::string_view what, std::string_view origin);

}  // namespace otsync::odps::manifest_json
