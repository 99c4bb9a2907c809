// The RESP2 parser: see parser.hpp for the contract. Book: chapter 02, "The parser".
//
// The parser works item by item. An item is one header line plus, for a bulk string, its bytes.
// Scalars (+, -, :, $) become frames at once; an array header (*N) opens an array that the next
// N frames fill. When a frame completes the last open array, that array is itself a frame that
// may complete its parent, and so on: the stack `open_` does the work recursion would do.
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
std::optional<std::int64_t> parse_integer(std::string_view text)
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
    for (;;) {
        Item item = read_item(input.substr(offset_));
        if (item.status == Status::needs_more) {
            return {};  // keep offset_ and open_: the next call resumes here
        }
        if (item.status == Status::error) {
            return fail(std::move(item.error));
        }
        offset_ += item.length;
        if (item.open) {
            // An array header: the next *item.open frames are its elements.
            if (open_.size() == limits_.max_depth) {
                return fail("too deeply nested arrays");
            }
            open_.push_back(OpenArray{*item.open, {}});
            continue;
        }
        if (auto done = complete(std::move(item.frame))) {
            Result result{Status::frame, std::move(*done), offset_, {}};
            offset_ = 0;
            return result;
        }
    }
}
// [end book: parse]

// [book: read-item]
Parser::Item Parser::read_item(std::string_view rest) const
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

    switch (rest.front()) {
    case '+':
        return {Status::frame, Frame::simple(std::string(line)), line_length};
    case '-':
        return {Status::frame, Frame::error(std::string(line)), line_length};
    case ':':
        if (const auto n = parse_integer(line)) {
            return {Status::frame, Frame::integer(*n), line_length};
        }
        return {Status::error, {}, 0, {}, "invalid integer"};
    case '$':
        return read_bulk(rest, line_end);
    case '*': {
        const auto n = parse_integer(line);
        if (!n || *n < -1 || *n > limits_.max_array_length) {
            return {Status::error, {}, 0, {}, "invalid multibulk length"};
        }
        if (*n == -1) {
            return {Status::frame, Frame::null(), line_length};  // a null array, *-1
        }
        if (*n == 0) {
            return {Status::frame, Frame::array({}), line_length};
        }
        return {Status::frame, {}, line_length, static_cast<std::size_t>(*n)};
    }
    default:
        return {
            Status::error, {}, 0, {}, fmt::format("invalid frame type byte {:?}", rest.front())};
    }
}
// [end book: read-item]

// [book: read-bulk]
Parser::Item Parser::read_bulk(std::string_view rest, std::size_t line_end) const
{
    // EXERCISE 02.1: Parse a bulk string
    //
    // `rest` starts with "$<length>\r\n". Parse the length (parse_integer): -1 is the null bulk
    // string; anything else below 0, above limits_.max_bulk_length or not a number is the error
    // "invalid bulk length". Otherwise wait (return {}, needs more) until the length's bytes
    // and a closing \r\n are all in `rest`; a missing \r\n is an error. Return the frame and
    // the bytes it used, header included.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.1
    mini_redis::todo("02.1", "book/02-framing.md#exercise-021-bulk-strings");
    // END EXERCISE 02.1
}
// [end book: read-bulk]

// [book: complete]
std::optional<Frame> Parser::complete(Frame frame)
{
    if (open_.empty()) {
        return frame;  // no array is waiting for it: a whole top-level frame
    }
    // EXERCISE 02.2: Fill open arrays with finished frames
    //
    // A frame just finished and at least one array is open (open_ is not empty). Append the
    // frame to the innermost open array (open_.back()). If that array now has all its
    // `expected` items, it is finished: it becomes the frame to place in *its* parent, and so
    // on up the stack. Return std::nullopt while an array still waits for items, and the
    // finished outermost array once the stack is empty.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.2
    mini_redis::todo("02.2", "book/02-framing.md#exercise-022-arrays");
    // END EXERCISE 02.2
}
// [end book: complete]

Parser::Result Parser::fail(std::string error)
{
    offset_ = 0;
    open_.clear();
    return {Status::error, {}, 0, std::move(error)};
}

}  // namespace mini_redis
