// How mini-redis-cli prints a reply: like redis-cli, so its output looks familiar.
//
// On a terminal a person reads the output, so values are marked with their kind: `"text"` for
// a string (quoted, with unprintable bytes escaped), `(integer) 3`, `(nil)`, numbered lines for
// an array. Piped into another program, the output is data: raw values, one per line. Kept apart
// from the CLI's main() so that tests can check it without a process. Book: chapter 09, "The
// command-line client".
#pragma once

#include "frame.hpp"

#include <string>
#include <string_view>

namespace mini_redis::client {

/// Who reads the output.
enum class OutputStyle {
    terminal,  // a person: kinds marked, strings quoted (redis-cli's default on a terminal)
    raw,       // a program: the values only (redis-cli's default when piped, or --raw)
};

/// `bytes` between double quotes, escaped as redis-cli does: \" \\ \n \r \t \a \b, and \xhh for
/// any other byte that is not printable ASCII. So "a\tb" shows its tab, and a binary value
/// cannot garble the terminal.
std::string quote(std::string_view bytes);

/// The text to print for `reply`, without a final newline (an array spans several lines). An
/// error reply reads `(error) ERR ...` in both styles.
std::string format_reply(const Frame& reply, OutputStyle style);

}  // namespace mini_redis::client
