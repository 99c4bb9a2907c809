// Connection: frames in and out of a socket, with a read buffer in between.
//
// TCP delivers a stream of bytes, not messages: one read may return half a frame, or three
// frames and a bit. Connection keeps the bytes in a buffer and asks the parser for whole frames,
// reading more only when the buffer holds no complete frame. Book: chapter 02, "The connection".
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

/// A socket that reads and writes whole frames. Owns the socket. One coroutine at a time uses it
/// (its session); it lives as long as that session, usually as one of its local variables.
///
/// Replies are batched: queue_frame() only encodes into an output buffer, and the buffer is
/// sent when read_frame() is about to wait for more input, or by flush(). A client that sends
/// 100 commands in one go thus gets 100 replies in one write, not in 100 system calls.
class Connection {
public:
    /// `syntax` is Syntax::requests on the server side: clients send commands, inline ones
    /// included. A client reading replies uses Syntax::frames.
    explicit Connection(tcp::socket socket, ParserLimits limits = {},
                        Syntax syntax = Syntax::frames);

    /// Reads the next frame, suspending until enough bytes have arrived. Before it suspends, it
    /// sends every queued frame (flush()), so a reply never waits for the client's next command.
    ///
    /// Returns std::nullopt when the peer closed the connection cleanly *between* frames: the
    /// normal end of a session. Throws ProtocolError when the bytes are not RESP, and
    /// boost::system::system_error when the socket fails or the peer closes in the middle of a
    /// frame.
    asio::awaitable<std::optional<Frame>> read_frame();

    /// Encodes `frame` into the output buffer; nothing is sent yet (see the class comment).
    void queue_frame(const Frame& frame);

    /// Sends everything queued, suspending until it is written. Throws
    /// boost::system::system_error on failure.
    asio::awaitable<void> flush();

    /// The underlying socket, for its endpoints or to close it.
    tcp::socket& socket() noexcept { return socket_; }

private:
    tcp::socket socket_;
    Parser parser_;
    // Received bytes live in buffer_[begin_, end_); the parser has not consumed them yet.
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::string output_;  // queued frames, encoded, waiting for flush()
};

}  // namespace mini_redis
