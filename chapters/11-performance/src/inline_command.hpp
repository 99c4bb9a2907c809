// Inline commands: a command typed as a plain line, `SET greeting "hello world"`.
//
// Real clients send commands as RESP arrays, but Redis also accepts a bare line, so that a
// person can talk to it with telnet or nc. Splitting such a line into arguments follows Redis's
// rules for spaces and quotes. Plain C++, no I/O. Book: chapter 03, "Inline commands".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis {

/// Splits one inline command line (without its line ending) into arguments, as Redis does:
/// - arguments are separated by whitespace (any run of spaces, tabs, \r, \n, \v or \f);
/// - "double quotes" keep spaces and understand \n \r \t \b \a, \xHH (a byte in hex) and
///   \<any other character> (that character);
/// - 'single quotes' keep everything as it is, except \' for a quote;
/// - a closing quote must be followed by a space or the end of the line.
/// Returns std::nullopt for unbalanced quotes (Redis: "Protocol error: unbalanced quotes in
/// request"). A blank line gives no arguments.
std::optional<std::vector<std::string>> split_inline(std::string_view line);

}  // namespace mini_redis
