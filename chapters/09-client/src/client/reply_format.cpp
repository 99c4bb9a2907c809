// Printing replies like redis-cli: see reply_format.hpp. Book: chapter 09, "The command-line
// client".
#include "client/reply_format.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

#include <string>
#include <variant>

namespace mini_redis::client {
namespace {

/// Appends `reply` to `out`. `indent` is the width of the "N) " prefixes already on the line,
/// so that the lines of a nested array line up under its first element, as redis-cli's do.
void append_reply(const Frame& reply, OutputStyle style, std::size_t indent, std::string& out)
{
    std::visit(
        [&](const auto& value) {
            using Kind = std::decay_t<decltype(value)>;
            const bool terminal = style == OutputStyle::terminal;
            if constexpr (std::is_same_v<Kind, Frame::Simple>) {
                out += value.text;
            } else if constexpr (std::is_same_v<Kind, Frame::Error>) {
                out += "(error) " + value.message;
            } else if constexpr (std::is_same_v<Kind, std::int64_t>) {
                out += terminal ? fmt::format("(integer) {}", value) : std::to_string(value);
            } else if constexpr (std::is_same_v<Kind, Frame::Bulk>) {
                out += terminal ? quote(value.bytes) : value.bytes;
            } else if constexpr (std::is_same_v<Kind, Frame::Null>) {
                out += terminal ? "(nil)" : "";
            } else {
                if (value.empty()) {
                    out += terminal ? "(empty array)" : "";
                    return;
                }
                // EXERCISE 09.15: Number and indent an array's items, as redis-cli does
                //
                // Append the items of the array `value` (not empty) to `out`, one a line. On a
                // terminal each item has a "N) " prefix, N counting from 1 and right-aligned to
                // the width of the largest number, and every line after the first is indented
                // by `indent` spaces (the width of the prefixes already on the line), so that a
                // nested array's lines line up under its first item. Raw style: the items
                // alone, one a line, no prefix, no indent. Each item is printed by
                // append_reply.
                //
                // Check: ./workbook test 9   Stuck? ./workbook hint 09.15
                mini_redis::unused(indent);
                mini_redis::todo("09.15", "book/09-client.md#exercise-0915-printing-an-array");
                // END EXERCISE 09.15
            }
        },
        reply.value);
}

}  // namespace

// [book: quote]
std::string quote(std::string_view bytes)
{
    std::string out = "\"";
    // EXERCISE 09.5: Quote a string as redis-cli shows it
    //
    // Append each byte of `bytes` to `out` (which already holds the opening quote) as redis-cli
    // shows it: \ and " get a backslash; newline, carriage return, tab, bell and backspace
    // become \n \r \t \a \b; any other byte outside printable ASCII (0x20 to 0x7e) becomes \x
    // and two lower-case hex digits, e.g. \x01 or \xc3.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.5
    mini_redis::unused(bytes);
    mini_redis::todo("09.5", "book/09-client.md#exercise-095-quoting-like-redis-cli");
    // END EXERCISE 09.5
    out += '"';
    return out;
}
// [end book: quote]

std::string format_reply(const Frame& reply, OutputStyle style)
{
    std::string out;
    append_reply(reply, style, 0, out);
    return out;
}

}  // namespace mini_redis::client
