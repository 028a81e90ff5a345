#include "readers/otsstream/checkpoint_codec.h"

#include <zlib.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace otsync::readers::otsstream {
namespace {

using Json = nlohmann::json;

constexpr int kWindowCheckpointsFormat = 1;

void AppendGsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (const char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '<':
      case '>':
      case '&':
      case '=':
      case '\'': {
        char escaped[8];
        std::snprintf(escaped, sizeof(escaped), "\\u%04x", byte);
        out->append(escaped);
        break;
      }
      default:
        if (byte < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", byte);
          out->append(escaped);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

Result<std::string> Deflate(std::string_view input) {
  uLongf capacity = compressBound(static_cast<uLong>(input.size()));
  std::string output(capacity, '\0');
  const int result = compress2(reinterpret_cast<Bytef*>(output.data()), &capacity,
                               reinterpret_cast<const Bytef*>(input.data()),
                               static_cast<uLong>(input.size()), Z_DEFAULT_COMPRESSION);
  if (result != Z_OK) return Status::Internal("zlib compress failed: " + std::to_string(result));
  output.resize(capacity);
  return output;
}

Result<std::string> Inflate(std::string_view input) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Status::Internal("zlib inflateInit failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  std::string output;
  char buffer[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    output.append(buffer, sizeof(buffer) - stream.avail_out);
    if (output.size() > kMaxShardIdsJsonBytes) {
      inflateEnd(&stream);
      return Status::Corruption("status table: ShardIds_* inflates to more than " +
                                std::to_string(kMaxShardIdsJsonBytes) + " bytes");
    }
    if (result == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) {
    return Status::Corruption("status table: ShardIds_* does not inflate (zlib " +
                              std::to_string(result) + ")");
  }
  return output;
}

}  // namespace

std::string ShardIdsToGsonJson(const std::vector<std::string>& shard_ids) {
  std::string json = "[";
  for (size_t i = 0; i < shard_ids.size(); ++i) {
    if (i > 0) json.push_back(',');
    AppendGsonString(shard_ids[i], &json);
  }
  json.push_back(']');
  return json;
}

Result<std::vector<std::string>> EncodeShardIdChunks(const std::vector<std::string>& shard_ids) {
  OTSYNC_ASSIGN_OR_RETURN(std::string compressed, Deflate(ShardIdsToGsonJson(shard_ids)));
  std::vector<std::string> chunks;
  for (size_t offset = 0; offset < compressed.size(); offset += kShardIdsChunkBytes) {
    chunks.push_back(compressed.substr(offset, kShardIdsChunkBytes));
  }
  return chunks;
}

Result<std::vector<std::string>> DecodeShardIdChunks(const std::vector<std::string>& chunks) {
  std::string compressed;
  for (const std::string& chunk : chunks) compressed += chunk;
  OTSYNC_ASSIGN_OR_RETURN(std::string text, Inflate(compressed));
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array()) {
    return Status::Corruption("status table: ShardIds_* is not a JSON array of shard ids");
  }
  std::vector<std::string> shard_ids;
  for (const Json& item : json) {
    if (!item.is_string()) {
      return Status::Corruption("status table: ShardIds_* is not a JSON array of shard ids");
    }
    shard_ids.push_back(item.get<std::string>());
  }
  return shard_ids;
}

std::string EncodeWindowCheckpoints(const WindowCheckpoints& checkpoints) {
  Json shards = Json::object();
  for (const auto& [shard_id, end] : checkpoints.shards) {
    shards[shard_id] = {{"checkpoint", end.checkpoint},
                        {"send_record_count", end.send_record_count}};
  }
  const Json json = {
      {"format", kWindowCheckpointsFormat},   {"reader", "otsstream"},
      {"table_name", checkpoints.table_name}, {"stream_id", checkpoints.stream_id},
      {"version", checkpoints.version},       {"start_millis", checkpoints.start_millis},
      {"end_millis", checkpoints.end_millis}, {"shards", shards}};
  return json.dump();
}

Result<WindowCheckpoints> DecodeWindowCheckpoints(std::string_view text) {
  const Status invalid = Status::InvalidArgument(
      "otsstream: the end checkpoints stored with the window are not readable");
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return invalid;
  // nlohmann's value("format", 0) throws on a "format" that is not a number: test the type first.
  const auto format = json.find("format");
  if (format == json.end() || !format->is_number_integer() ||
      format->get<int64_t>() != kWindowCheckpointsFormat) {
    return invalid;
  }
  const auto string_field = [&](const char* name, std::string* out) {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  const auto integer_field = [&](const Json& object, const char* name, int64_t* out) {
    auto it = object.find(name);
    if (it == object.end() || !it->is_number_integer()) return false;
    *out = it->get<int64_t>();
    return true;
  };
  WindowCheckpoints checkpoints;
  if (!string_field("table_name", &checkpoints.table_name) ||
      !string_field("stream_id", &checkpoints.stream_id) ||
      !string_field("version", &checkpoints.version) ||
      !integer_field(json, "start_millis", &checkpoints.start_millis) ||
      !integer_field(json, "end_millis", &checkpoints.end_millis)) {
    return invalid;
  }
  auto shards = json.find("shards");
  if (shards == json.end() || !shards->is_object()) return invalid;
  for (const auto& [shard_id, end] : shards->items()) {
    ShardEndCheckpoint shard;
    auto checkpoint = end.find("checkpoint");
    if (!end.is_object() || checkpoint == end.end() || !checkpoint->is_string() ||
        !integer_field(end, "send_record_count", &shard.send_record_count)) {
      return invalid;
    }
    shard.checkpoint = checkpoint->get<std::string>();
    checkpoints.shards.emplace(shard_id, std::move(shard));
  }
  return checkpoints;
}

}  // namespace otsync::readers::otsstream
