// Lowercase hexadecimal text of bytes: tokens, password-hash fields, test vectors.
#pragma once

#include <string>
#include <string_view>

namespace otsync {

// Two lowercase digits a byte, most significant first: "\x01\xab" -> "01ab".
std::string HexEncode(std::string_view bytes);

}  // namespace otsync
