// FrameReader: frames out of a socket, with a read buffer in between.
//
// TCP delivers a stream of bytes, not messages: one read may return half a frame, or three
// frames and a bit. FrameReader keeps the bytes in a buffer and asks the parser for whole frames,
// reading more only when the buffer holds no complete frame. Chapter 02 called it Connection,
// when it wrote replies too (book: chapter 02, "The connection"); since chapter 06 a writer
// coroutine writes from an Outbox (outbox.hpp), so that other connections can send this client
// messages too, and what is left only reads.
#pragma once

#include "frame.hpp"
#include "net.hpp"
#include "parser.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mini_redis {

/// The peer sent bytes that are not RESP. `what()` is the parser's reason, e.g. "invalid bulk
/// length"; a server replies "-ERR Protocol error: <reason>" and closes, as Redis does.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads whole frames from a socket. Owns the socket, and lends it through socket() to whoever
/// writes: the session's writer, or a client's call. One coroutine at a time reads; another may
/// write meanwhile. Lives as long as its connection, usually as a local variable of its session.
class FrameReader {
public:
    /// `syntax` is Syntax::requests on the server side: clients send commands, inline ones
    /// included. A client reading replies uses Syntax::frames.
    explicit FrameReader(tcp::socket socket, ParserLimits limits = {},
                         Syntax syntax = Syntax::frames);

    /// Reads the next frame, suspending until enough bytes have arrived.
    ///
    /// Returns std::nullopt when the peer closed the connection cleanly *between* frames: the
    /// normal end of a session. Throws ProtocolError when the bytes are not RESP, and
    /// boost::system::system_error when the socket fails or the peer closes in the middle of a
    /// frame.
    asio::awaitable<std::optional<Frame>> read_frame();

    /// The underlying socket, for its endpoints, for writing, or to shut it down.
    tcp::socket& socket() noexcept { return socket_; }

private:
    tcp::socket socket_;
    Parser parser_;
    // Received bytes live in buffer_[begin_, end_); the parser has not consumed them yet.
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace mini_redis
