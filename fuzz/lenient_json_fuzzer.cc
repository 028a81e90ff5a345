// The job scripts' JSON dialect (sync/lenient_json.h): comments, trailing commas, deep nesting,
// any bytes. An error is InvalidArgument, names a line and column or the rule broken, and never
// quotes the input (it could be an access key).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_checks.h"
#include "sync/lenient_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace otsync;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<sync::ConfigValue> value = sync::ParseLenientJson(text);
  if (value.ok()) return 0;
  const Status status = value.status();
  const std::string& message = status.message();
  fuzz::Check(status.code() == StatusCode::kInvalidArgument, "a parse error is not InvalidArgument",
              status.ToString());
  fuzz::Check(message.starts_with("line ") || message.starts_with("the document nests deeper"),
              "a parse error names no position", message);
  fuzz::CheckNoInputQuoted(text, message);
  return 0;
}
