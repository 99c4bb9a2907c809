// Frame: one value of the Redis protocol (RESP2), and how to turn it into bytes.
//
// Everything a client and server say to each other is a frame: a command is an array of bulk
// strings, a reply is any of the six kinds below. Parsing bytes into frames is parser.hpp; this
// file is the value type and the encoder. Plain C++, no Asio: tested without sockets.
// Book: chapter 02, "Frames: one type, six kinds".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mini_redis {

/// A RESP2 value. Copyable and comparable, so tests can write `CHECK(frame == Frame::bulk("x"))`.
///
/// The six kinds and their wire format (each line ends in \r\n):
///   simple string  +OK               short text without \r or \n, e.g. replies like OK, PONG
///   error          -ERR message      an error reply; the client shows it to the user
///   integer        :42               a signed 64-bit integer
///   bulk string    $5 hello          binary-safe bytes, length first (may contain \r\n)
///   null           $-1  (or *-1)     "no value", e.g. GET of a missing key
///   array          *2 ...            a count, then that many frames (commands are arrays)
struct Frame {
    struct Simple {
        std::string text;
        bool operator==(const Simple&) const = default;
    };
    struct Error {
        std::string message;
        bool operator==(const Error&) const = default;
    };
    struct Bulk {
        std::string bytes;  // std::string holds any bytes, NUL included
        bool operator==(const Bulk&) const = default;
    };
    struct Null {
        bool operator==(const Null&) const = default;
    };
    using Array = std::vector<Frame>;

    /// Exactly one of the six kinds. std::variant makes "which kind is it?" a type question the
    /// compiler checks (std::visit, std::get_if) instead of a tag we could forget to look at.
    std::variant<Simple, Error, std::int64_t, Bulk, Null, Array> value;

    static Frame simple(std::string text) { return {Simple{std::move(text)}}; }
    static Frame error(std::string message) { return {Error{std::move(message)}}; }
    static Frame integer(std::int64_t n) { return {n}; }
    static Frame bulk(std::string bytes) { return {Bulk{std::move(bytes)}}; }
    static Frame null() { return {Null{}}; }
    static Frame array(Array items) { return {std::move(items)}; }

    bool operator==(const Frame&) const = default;
};

/// Appends the wire bytes of `frame` to `out`. Appending (rather than returning a new string)
/// lets a caller put several replies into one buffer and send them with one write.
/// Null is written as a null bulk string, `$-1\r\n`, as Redis writes it in RESP2.
void encode(const Frame& frame, std::string& out);

/// The wire bytes of `frame`, as a new string.
std::string encode(const Frame& frame);

/// A short, readable rendering for logs and test messages, e.g. `["SET", "k", 1]`.
std::string describe(const Frame& frame);

/// The push a subscriber of `channel` receives when a client publishes `message`, encoded:
/// `*3 message <channel> <message>`. PUBLISH encodes it once and Db::publish delivers the same
/// bytes to every recipient, so a message to 10,000 subscribers is encoded once, not 10,000 times.
std::string message_push(std::string_view channel, std::string_view message);

}  // namespace mini_redis
