// The RESP2 parser: bytes -> frames, without any I/O.
//
// The parser never reads from a socket. It is handed the bytes received so far and answers one
// of three things: "I need more bytes", "here is a frame, and it used this many bytes", or "this
// is not RESP" (a protocol error). That makes it testable byte by byte, and the connection
// (frame_reader.hpp) stays a small loop around it. Book: chapter 02, "The parser".
#pragma once

#include "frame.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis {

/// What a frame may claim before the parser refuses it. The defaults are Redis's.
struct ParserLimits {
    /// Longest bulk string (Redis: proto-max-bulk-len, 512 MiB).
    std::int64_t max_bulk_length = 512LL * 1024 * 1024;
    /// Most elements in one array (Redis accepts up to INT_MAX; the bytes must arrive anyway).
    std::int64_t max_array_length = std::numeric_limits<std::int32_t>::max();
    /// Deepest nesting of arrays in arrays. Keeps a hostile `*1\r\n*1\r\n...` from growing the
    /// parser's stack without bound.
    std::size_t max_depth = 32;
    /// Longest line (a simple string, an error, a length), not counting its type byte and its
    /// \r\n: Redis's PROTO_INLINE_MAX_SIZE, 64 KiB.
    std::size_t max_line_length = 64 * 1024;
};

/// What the parser expects to read.
enum class Syntax {
    /// Any RESP2 frame: what a client reads from a server.
    frames,
    /// Client requests, as Redis reads them: an array of bulk strings (we also accept simple
    /// strings and integers as arguments, as mini-redis does), or an inline command, a plain
    /// line such as `SET k v` typed into telnet. Empty commands (`*0`, a negative count, a
    /// blank line) are skipped without a reply; a null or nested argument is a protocol error.
    requests,
};

/// An incremental RESP2 parser.
///
/// Use: keep the received bytes in a buffer; call parse() with all bytes not yet consumed, each
/// time more have arrived. The parser remembers how far it got, so a frame that arrives in many
/// pieces is parsed in time proportional to its size, not re-parsed from the start every time.
/// Between calls the caller may move the bytes (compact its buffer) but must pass the same bytes
/// again, with any new ones appended, until parse() returns a frame or an error.
///
/// It works in two passes. The first checks each item as its bytes arrive and keeps only
/// counts, so a frame still arriving costs nothing but its own bytes, however many elements it
/// has; the second builds the frame once all of it is here. It never reads past the end of its
/// input, never allocates what a length merely claims, and a hostile nesting is refused before
/// the second pass recurses into it. A request that begins whole in the input takes a shortcut
/// instead (whole_request(), chapter 11), tried once as each request begins: when the request
/// turns out to be incomplete, the copies it made of the arguments already here are freed
/// before parse() returns, and the two passes take over.
/// Not thread-safe: one parser per connection.
class Parser {
public:
    enum class Status {
        needs_more,  // the input ends in the middle of a frame: read more, call again
        frame,       // `frame` is complete; drop `consumed` bytes from the front of the input
        error,       // not valid RESP: `error` says why; the parser has reset itself
    };

    struct Result {
        Status status = Status::needs_more;
        Frame frame;
        std::size_t consumed = 0;
        std::string error;  // e.g. "invalid bulk length", as Redis words it
    };

    explicit Parser(ParserLimits limits = {}, Syntax syntax = Syntax::frames)
        : limits_(limits), syntax_(syntax)
    {
    }

    /// Parses the next frame from `input` (see the class comment for the contract).
    Result parse(std::string_view input);

private:
    /// What reading one item at the current position gave.
    struct Item {
        Status status = Status::needs_more;
        Frame frame;                      // a scalar's value, filled in only when asked to keep it
        std::size_t length = 0;           // bytes the item took, header included
        std::optional<std::size_t> open;  // set for an array header: its element count
        std::string error;
    };

    /// Reads the item `rest` starts with. Copies its value into `frame` only if `keep`: the
    /// first pass only checks, the second builds.
    Item read_item(std::string_view rest, bool keep) const;
    Item read_bulk(std::string_view rest, std::size_t line_end, bool keep) const;
    /// Reads an inline command (a line of words), built at once: it is whole when its line is.
    Item read_inline(std::string_view rest) const;
    /// Why the element `rest` starts with cannot be an argument of a request, if it cannot.
    std::optional<std::string> request_element_error(std::string_view rest) const;
    /// Counts one finished element against the open arrays; true once none is left open.
    bool finish_element();
    /// Builds the frame `bytes` starts with (checked whole by the first pass), and drops its
    /// bytes from the front of `bytes`.
    Frame build(std::string_view& bytes) const;
    /// The answer for a whole frame; the next call starts afresh.
    Result whole(Frame frame);
    Result fail(std::string error);

    ParserLimits limits_;
    Syntax syntax_;
    std::size_t start_ = 0;         // where the frame begins, after any empty requests skipped
    std::size_t offset_ = 0;        // bytes of the input already checked
    std::vector<std::size_t> due_;  // open arrays: elements each still waits for, outermost first
};

/// A request read in one pass: what whole_request() found.
struct WholeRequest {
    Frame request;         // an array of bulk strings
    std::size_t consumed;  // the bytes it took from the front of the input
};

/// The common case in one pass (chapter 11): `input` begins with a whole request in the form
/// every client library sends, an array of one or more bulk strings, all its bytes here. Reads
/// and builds it in one go. Nullopt for anything else (a request still arriving, an inline
/// command, an empty or malformed one): the Parser's two passes read those, errors and all.
/// With limits that allow a line of 18 digits and one level of arrays, it accepts nothing they
/// would refuse, and builds the same frame they would; Syntax::requests' parser tries it first
/// when a request begins, under such limits.
std::optional<WholeRequest> whole_request(std::string_view input, const ParserLimits& limits);

}  // namespace mini_redis
