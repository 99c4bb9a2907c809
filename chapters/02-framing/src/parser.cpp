// The RESP2 parser: see parser.hpp for the contract. Book: chapter 02, "The parser".
//
// The parser works item by item. An item is one header line plus, for a bulk string, its bytes.
// Scalars (+, -, :, $) are one element each; an array header (*N) opens an array that the next
// N elements fill, and a filled array is itself one element of its parent. The first pass only
// counts: the stack `due_` holds, for each open array, how many elements it still waits for.
// Once nothing is open, the frame's bytes are all here and the second pass, build(), makes the
// frame from them.
#include "parser.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

#include <charconv>

namespace mini_redis {
namespace {

/// A length or integer as RESP writes it, read as strictly as Redis reads one: "0", or an
/// optional '-' and a digit from 1 to 9, then more digits, nothing else. "+5", "05", "-0" and
/// " 5" are refused: a number has one spelling. std::from_chars reports overflow, so a 20-digit
/// length is an error, not a wrapped number.
[[maybe_unused]] std::optional<std::int64_t> parse_integer(std::string_view text)
{
    std::int64_t value = 0;
    const auto digits = text.substr(text.starts_with('-') ? 1 : 0);
    if (text != "0" && (digits.empty() || digits.front() < '1' || digits.front() > '9')) {
        return std::nullopt;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

// [book: parse]
Parser::Result Parser::parse(std::string_view input)
{
    // EXERCISE 02.1: Find where the frame ends, resuming where the last call stopped
    //
    // Find where the frame at the front of `input` ends, resuming where the last call stopped.
    // Loop: read the item at offset_ without keeping it (read_item(..., false)). Needs more:
    // return {} and keep offset_ and due_ as they are. An error: return fail(reason). Otherwise
    // move offset_ past the item. An array header (item.open) opens an array: refuse it with
    // "too deeply nested arrays" when due_ already holds limits_.max_depth arrays, else push
    // its count on due_. Any other item is one finished element: finish_element() says when
    // nothing is open any more. Then build the frame from input's first offset_ bytes, answer
    // it with `consumed` = offset_, and start the next frame at 0.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.1
    mini_redis::unused(input);
    mini_redis::todo("02.1", "book/02-framing.md#exercise-021-the-first-pass");
    // END EXERCISE 02.1
}

bool Parser::finish_element()
{
    // EXERCISE 02.2: Count a finished element against the open arrays
    //
    // One element has just finished. Count it against the innermost open array (the back of
    // due_). If that array still waits for more, the frame goes on: return false. If it is now
    // full, it is itself one finished element of its parent: drop it and count it there, and so
    // on outwards. Return true once no array is open (also when none was: a scalar is a whole
    // frame).
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.2
    mini_redis::todo("02.2", "book/02-framing.md#exercise-022-closing-finished-arrays");
    // END EXERCISE 02.2
}
// [end book: parse]

// [book: read-item]
Parser::Item Parser::read_item(std::string_view rest, bool keep) const
{
    if (rest.empty()) {
        return {};
    }
    // Every item starts with a type byte and a line ending in \r\n. Look for the \r\n only
    // within the longest line we accept (plus the type byte and the \r\n), so a peer cannot
    // make us scan gigabytes for it. An incomplete line is searched again after every read,
    // which this bound keeps cheap too.
    const auto window = rest.substr(0, limits_.max_line_length + 3);
    const auto line_end = window.find("\r\n");
    if (line_end == std::string_view::npos) {
        if (window.size() == limits_.max_line_length + 3) {
            return {Status::error, {}, 0, {}, "line too long"};
        }
        return {};  // the line has not arrived in full yet
    }
    const std::string_view line = rest.substr(1, line_end - 1);
    const std::size_t line_length = line_end + 2;

    // EXERCISE 02.4: Read one item: the type byte decides
    //
    // The item's header line is whole: `line` is its text between the type byte and the \r\n,
    // and `line_length` counts the line with both. The type byte decides. '+' and '-': a simple
    // string or an error, `line_length` long, its text copied only if `keep`. ':': an integer
    // (parse_integer), or the error "invalid integer". '$': read_bulk(rest, line_end, keep)
    // does the rest. '*': a count (parse_integer) below -1, above limits_.max_array_length or
    // not a number is the error "invalid multibulk length"; *-1 is a null and *0 an empty
    // array, both whole frames at once; any other count is an array header (Item::open). Any
    // other byte: "invalid frame type byte 'x'".
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.4
    mini_redis::unused(keep, line, line_length);
    mini_redis::todo("02.4", "book/02-framing.md#exercise-024-reading-one-item");
    // END EXERCISE 02.4
}
// [end book: read-item]

// [book: read-bulk]
Parser::Item Parser::read_bulk(std::string_view rest, std::size_t line_end, bool keep) const
{
    // EXERCISE 02.5: Parse a bulk string
    //
    // `rest` starts with "$<length>\r\n". Parse the length (parse_integer): -1 is the null bulk
    // string; anything else below 0, above limits_.max_bulk_length or not a number is the error
    // "invalid bulk length". Otherwise wait (return {}, needs more) until the length's bytes
    // and a closing \r\n are all in `rest`; a missing \r\n is an error. Return the bytes it
    // used, header included, and the frame, but copy the bytes into a frame only if `keep`: the
    // first pass only checks.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.5
    mini_redis::unused(rest, line_end, keep);
    mini_redis::todo("02.5", "book/02-framing.md#exercise-025-bulk-strings");
    // END EXERCISE 02.5
}
// [end book: read-bulk]

// [book: build]
Frame Parser::build(std::string_view& bytes) const
{
    Item item = read_item(bytes, true);
    bytes.remove_prefix(item.length);
    if (!item.open) {
        return std::move(item.frame);  // a scalar is a whole frame
    }
    // EXERCISE 02.3: Build an array
    //
    // The first pass has checked the whole frame at the front of `bytes`, and its first item
    // was an array header: its *item.open elements follow in `bytes`. Build each in turn
    // (build() reads one whole frame and drops its bytes), in order, and return them as one
    // array, allocated once at its size: the count is safe to believe now that every element
    // has arrived.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.3
    mini_redis::todo("02.3", "book/02-framing.md#exercise-023-arrays");
    // END EXERCISE 02.3
}
// [end book: build]

Parser::Result Parser::fail(std::string error)
{
    offset_ = 0;
    due_.clear();
    return {Status::error, {}, 0, std::move(error)};
}

}  // namespace mini_redis
