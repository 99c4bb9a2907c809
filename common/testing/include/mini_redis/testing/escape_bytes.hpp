// Bytes as readable text for a failure's message: the one escaping every part of the test
// harness uses (a Frame's bulk strings, a reply table's requests and replies).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace mini_redis::testing {

/// Up to `limit` bytes of `bytes`, escaped as in a C string literal: \r, \n, \t, \", \\ and \0
/// by name, any other byte outside printable ASCII as \xHH. Longer input ends in "...".
inline std::string escape_bytes(std::string_view bytes, std::size_t limit = 200)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        switch (byte) {
        case '\r':
            out += "\\r";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\0':
            out += "\\0";
            break;
        default:
            if (byte < 0x20 || byte >= 0x7f) {
                out += fmt::format("\\x{:02x}", byte);
            } else {
                out += static_cast<char>(byte);
            }
        }
    }
    if (bytes.size() > limit) {
        out += "...";
    }
    return out;
}

}  // namespace mini_redis::testing
