// The RESP2 parser: see parser.hpp for the contract. Book: chapter 02, "The parser".
//
// The parser works item by item. An item is one header line plus, for a bulk string, its bytes.
// Scalars (+, -, :, $) are one element each; an array header (*N) opens an array that the next
// N elements fill, and a filled array is itself one element of its parent. The first pass only
// counts: the stack `due_` holds, for each open array, how many elements it still waits for.
// Once nothing is open, the frame's bytes are all here and the second pass, build(), makes the
// frame from them. A request that is whole from the start skips both: whole_request() reads it
// in one go (chapter 11, "The parser: the common case in one pass").
#include "parser.hpp"

#include "inline_command.hpp"
#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

#include <algorithm>
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

Parser::Result Parser::parse(std::string_view input)
{
    // A request that is all here, the usual case when a client pipelines: one pass builds it.
    // Only from a fresh start (a frame the two passes have begun is theirs to finish), and only
    // under limits the shortcut keeps too: it reads lengths of up to 18 digits, one array deep.
    if (syntax_ == Syntax::requests && offset_ == 0 && limits_.max_line_length >= 18 &&
        limits_.max_depth >= 1) {
        if (auto shortcut = whole_request(input, limits_)) {
            return {Status::frame, std::move(shortcut->request), shortcut->consumed, {}};
        }
    }
    // First pass: find where the frame ends, checking every item but keeping none.
    for (;;) {
        const std::string_view rest = input.substr(offset_);
        Item item;
        if (syntax_ == Syntax::requests && due_.empty() && !rest.empty() && rest.front() != '*') {
            item = read_inline(rest);  // not an array: Redis reads the line as an inline command
        } else if (auto error = request_element_error(rest)) {
            return fail(std::move(*error));
        } else {
            item = read_item(rest, false);
        }
        if (item.status == Status::needs_more) {
            return {};  // keep offset_ and due_: the next call resumes here
        }
        if (item.status == Status::error) {
            return fail(std::move(item.error));
        }
        offset_ += item.length;
        if (syntax_ == Syntax::requests && due_.empty() && !item.open) {
            if (item.frame == Frame::array({})) {
                start_ = offset_;
                continue;  // an empty request (*0, *-5 or a blank line): Redis skips it silently
            }
            return whole(std::move(item.frame));  // an inline command: one line, built at once
        }
        if (item.open) {
            // An array header: the next *item.open frames are its elements.
            if (due_.size() == limits_.max_depth) {
                return fail("too deeply nested arrays");
            }
            due_.push_back(*item.open);
            continue;
        }
        if (finish_element()) {
            break;  // nothing is open any more: the frame ends at offset_
        }
    }
    // Second pass: every byte of the frame is here and checked, so build it.
    std::string_view bytes = input.substr(start_, offset_ - start_);
    return whole(build(bytes));
}

// [book: whole-request]
std::optional<WholeRequest> whole_request(std::string_view input, const ParserLimits& limits)
{
    // EXERCISE 11.7: A whole request in one pass
    std::size_t at = 0;
    // A header line, `type` then a length and \r\n, read as strictly as parse_integer reads one
    // ("0", or no leading zero), but only up to 18 digits, which cannot overflow: anything
    // longer, negative or odd is left to the two passes, which know Redis's error for it.
    const auto header = [&](char type) -> std::optional<std::int64_t> {
        if (at == input.size() || input[at] != type) {
            return std::nullopt;
        }
        const std::size_t first = ++at;
        std::int64_t n = 0;
        while (at < input.size() && at - first < 18 && input[at] >= '0' && input[at] <= '9') {
            n = n * 10 + (input[at++] - '0');
        }
        if (at == first || (input[first] == '0' && at - first > 1) ||
            input.substr(at, 2) != "\r\n") {
            return std::nullopt;
        }
        at += 2;
        return n;
    };
    const auto count = header('*');
    if (!count || *count == 0 || *count > limits.max_array_length) {
        return std::nullopt;
    }
    Frame::Array arguments;
    // Reserve for the count, but for no more than the bytes here can hold (an argument takes 6
    // at least, "$0\r\n\r\n"): a claim of two billion must not allocate before the bytes arrive.
    arguments.reserve(std::min(static_cast<std::size_t>(*count), (input.size() - at) / 6));
    for (std::int64_t i = 0; i < *count; ++i) {
        const auto length = header('$');
        if (!length || *length > limits.max_bulk_length) {
            return std::nullopt;
        }
        const auto size = static_cast<std::size_t>(*length);
        if (input.size() - at < size + 2 || input.substr(at + size, 2) != "\r\n") {
            return std::nullopt;  // not all here yet, or no \r\n after it: the two passes say
        }
        arguments.push_back(Frame::bulk(std::string(input.substr(at, size))));
        at += size + 2;
    }
    return WholeRequest{Frame::array(std::move(arguments)), at};
    // END EXERCISE 11.7
}
// [end book: whole-request]

bool Parser::finish_element()
{
    while (!due_.empty()) {
        if (--due_.back() > 0) {
            return false;  // the innermost open array waits for more elements
        }
        due_.pop_back();  // that array is full: it is one finished element of its parent
    }
    return true;
}

Parser::Result Parser::whole(Frame frame)
{
    Result result{Status::frame, std::move(frame), offset_, {}};
    offset_ = 0;
    start_ = 0;
    return result;
}

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

    switch (rest.front()) {
    case '+':
        return {Status::frame, keep ? Frame::simple(std::string(line)) : Frame{}, line_length};
    case '-':
        return {Status::frame, keep ? Frame::error(std::string(line)) : Frame{}, line_length};
    case ':':
        if (const auto n = parse_integer(line)) {
            return {Status::frame, Frame::integer(*n), line_length};
        }
        return {Status::error, {}, 0, {}, "invalid integer"};
    case '$':
        return read_bulk(rest, line_end, keep);
    case '*': {
        const auto n = parse_integer(line);
        // Requests: Redis ignores a count of zero or less. Frames: *-1 is the null array.
        const std::int64_t lowest = syntax_ == Syntax::requests ? INT64_MIN : -1;
        if (!n || *n < lowest || *n > limits_.max_array_length) {
            return {Status::error, {}, 0, {}, "invalid multibulk length"};
        }
        if (*n == -1 && syntax_ == Syntax::frames) {
            return {Status::frame, Frame::null(), line_length};  // a null array, *-1
        }
        if (*n <= 0) {
            return {Status::frame, Frame::array({}), line_length};
        }
        return {Status::frame, {}, line_length, static_cast<std::size_t>(*n)};
    }
    default:
        return {
            Status::error, {}, 0, {}, fmt::format("invalid frame type byte {:?}", rest.front())};
    }
}

std::optional<std::string> Parser::request_element_error(std::string_view rest) const
{
    if (syntax_ != Syntax::requests || due_.empty() || rest.empty()) {
        return std::nullopt;
    }
    // Inside a request, every element is an argument: a bulk string (or, leniently, a simple
    // string or an integer). Redis's words for anything else:
    switch (rest.front()) {
    case '$':
        if (rest.starts_with("$-")) {
            return "invalid bulk length";  // a null argument: $-1 means nothing in a request
        }
        return std::nullopt;
    case '+':
    case ':':
        return std::nullopt;
    case '\r':
    case '\n':
    case '\0':
        return "expected '$', got ' '";  // as Redis words it: the error line stays one line
    default:
        return fmt::format("expected '$', got '{}'", rest.front());
    }
}

Parser::Item Parser::read_inline(std::string_view rest) const
{
    // An inline command is one line, ending at \n (telnet and nc send \r\n).
    const auto window = rest.substr(0, limits_.max_line_length + 1);
    const auto line_end = window.find('\n');
    if (line_end == std::string_view::npos) {
        if (window.size() > limits_.max_line_length) {
            return {Status::error, {}, 0, {}, "too big inline request"};
        }
        return {};
    }
    auto line = rest.substr(0, line_end);
    if (line.ends_with('\r')) {
        line.remove_suffix(1);
    }
    auto words = split_inline(line);
    if (!words) {
        return {Status::error, {}, 0, {}, "unbalanced quotes in request"};
    }
    Frame::Array arguments;
    for (auto& word : *words) {
        arguments.push_back(Frame::bulk(std::move(word)));
    }
    return {Status::frame, Frame::array(std::move(arguments)), line_end + 1};
}

Parser::Item Parser::read_bulk(std::string_view rest, std::size_t line_end, bool keep) const
{
    // `rest` starts with "$<length>\r\n"; the bytes follow, then another \r\n.
    const auto length = parse_integer(rest.substr(1, line_end - 1));
    if (!length || *length < -1 || *length > limits_.max_bulk_length) {
        return {Status::error, {}, 0, {}, "invalid bulk length"};
    }
    if (*length == -1) {
        return {Status::frame, Frame::null(), line_end + 2};  // $-1: the null bulk string
    }
    const std::size_t start = line_end + 2;
    const std::size_t end = start + static_cast<std::size_t>(*length);
    // Wait until every byte and the closing \r\n are here. Nothing is allocated before then,
    // so a peer that claims 512 MiB and sends 10 bytes costs us nothing but those 10 bytes;
    // and the bytes are copied only in the second pass, once the whole frame is here.
    if (rest.size() < end + 2) {
        return {};
    }
    if (rest.substr(end, 2) != "\r\n") {
        return {Status::error, {}, 0, {}, "expected \\r\\n after the bulk string"};
    }
    if (!keep) {
        return {Status::frame, {}, end + 2};
    }
    return {Status::frame, Frame::bulk(std::string(rest.substr(start, *length))), end + 2};
}

Frame Parser::build(std::string_view& bytes) const
{
    Item item = read_item(bytes, true);
    bytes.remove_prefix(item.length);
    if (!item.open) {
        return std::move(item.frame);  // a scalar is a whole frame
    }
    // An array header: its elements follow, each a frame to build in turn.
    Frame::Array items;
    items.reserve(*item.open);  // safe here: the first pass has seen every element arrive
    for (std::size_t i = 0; i < *item.open; ++i) {
        items.push_back(build(bytes));  // as deep as the nesting, which the first pass bounded
    }
    return Frame::array(std::move(items));
}

Parser::Result Parser::fail(std::string error)
{
    offset_ = 0;
    start_ = 0;
    due_.clear();
    return {Status::error, {}, 0, std::move(error)};
}

}  // namespace mini_redis
