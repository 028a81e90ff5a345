// The PlainBuffer decoder (wire/plain_buffer.h) on arbitrary bytes: a request's row, a range
// response's rows and a single SQLVariant value. A row that decodes must encode and decode back
// to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_checks.h"
#include "wire/plain_buffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace otsync;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  Result<wire::Row> row = wire::DecodeRow(bytes);
  if (row.ok()) {
    Result<wire::Row> again = wire::DecodeRow(wire::EncodeRow(*row));
    fuzz::Check(again.ok(), "an encoded row does not decode", again.status().ToString());
    fuzz::Check(*again == *row, "a row changes through encode and decode");
  } else {
    fuzz::Check(row.status().code() == StatusCode::kInvalidArgument,
                "DecodeRow error is not InvalidArgument", row.status().ToString());
  }

  Result<std::vector<wire::Row>> rows = wire::DecodeRows(bytes);
  if (rows.ok()) {
    std::string encoded;
    wire::PlainBufferWriter writer(&encoded);
    for (const wire::Row& each : *rows) writer.AppendRow(each);
    Result<std::vector<wire::Row>> again = wire::DecodeRows(encoded);
    fuzz::Check(again.ok(), "encoded rows do not decode", again.status().ToString());
    fuzz::Check(*again == *rows, "rows change through encode and decode");
  }

  Result<wire::Value> value = wire::DecodeSqlVariant(bytes);
  if (value.ok()) {
    std::string encoded;
    wire::EncodeSqlVariant(*value, &encoded);
    Result<wire::Value> again = wire::DecodeSqlVariant(encoded);
    fuzz::Check(again.ok() && *again == *value, "a SQLVariant changes through encode and decode");
  }
  return 0;
}
