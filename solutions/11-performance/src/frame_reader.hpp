// FrameReader: frames out of a socket, with a read buffer in between.
//
// TCP delivers a stream of bytes, not messages: one read may return half a frame, or three
// frames and a bit. FrameReader keeps the bytes in a buffer and asks the parser for whole frames,
// reading more only when the buffer holds no complete frame. Chapter 02 called it Connection,
// when it wrote replies too (book: chapter 02, "The connection"); since chapter 06 a writer
// coroutine writes from an Outbox (outbox.hpp), so that other connections can send this client
// messages too, and what is left only reads. Since chapter 11 the buffer exists only while there
// are bytes in it: a connection waiting for its client holds none (book: chapter 11, "A buffer
// only while reading").
#pragma once

#include "frame.hpp"
#include "net.hpp"
#include "parser.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace mini_redis {

/// The peer sent bytes that are not RESP. `what()` is the parser's reason, e.g. "invalid bulk
/// length"; a server replies "-ERR Protocol error: <reason>" and closes, as Redis does.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The peer sent more than the connection's buffer limit without completing a frame. The
/// server closes such a connection (Redis: "closing client that reached max query buffer
/// length").
class BufferLimitExceeded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads whole frames from a socket. Owns the socket, and lends it through socket() to whoever
/// writes: the session's writer, or a client's call. One coroutine at a time reads; another may
/// write meanwhile. Lives as long as its connection, usually as a local variable of its session.
class FrameReader {
public:
    /// `syntax` is Syntax::requests on the server side: clients send commands, inline ones
    /// included. A client reading replies uses Syntax::frames. The read buffer never grows past
    /// `buffer_limit` bytes (Redis's 1 GiB client-query-buffer-limit by default).
    explicit FrameReader(tcp::socket socket, ParserLimits limits = {},
                         Syntax syntax = Syntax::frames,
                         std::size_t buffer_limit = 1024 * 1024 * 1024);

    /// Reads the next frame, suspending until enough bytes have arrived.
    ///
    /// Returns std::nullopt when the peer closed the connection cleanly *between* frames (the
    /// normal end of a session), or once stop_reading() was called. Throws ProtocolError when the
    /// bytes are not RESP, and boost::system::system_error when the socket fails or the peer closes
    /// in the middle of a frame, and BufferLimitExceeded when a frame would need more than the
    /// buffer limit.
    asio::awaitable<std::optional<Frame>> read_frame();

    /// The next frame, if the bytes already received hold one whole: at once, without waiting
    /// and without a coroutine. std::nullopt when they do not (or reading has stopped); then
    /// read_frame() waits for it. Throws ProtocolError as read_frame() does.
    std::optional<Frame> buffered_frame();

    /// Stops reading: a read in progress is cancelled, and read_frame() returns std::nullopt
    /// (as for a clean close) now or at its next call, even if frames are still buffered.
    /// For a graceful shutdown. Call it on the strand the reader runs on.
    void stop_reading();

    /// The underlying socket, for its endpoints, for writing, or to shut it down. Non-blocking
    /// (see read_frame): write to it with asynchronous operations only.
    tcp::socket& socket() noexcept { return socket_; }

    /// The bytes of read buffer this reader holds now: 0 whenever everything received has been
    /// parsed, since a reader waiting for its peer keeps no buffer.
    std::size_t buffer_capacity() const noexcept { return capacity_; }

    /// How many bytes one read asks the socket for, at least: Redis's own read size. The buffer
    /// is allocated this big when bytes are ready, and grows past it only for a larger frame.
    static constexpr std::size_t read_size = 16 * 1024;

    /// How many buffers of read_size bytes a thread keeps for its readers once they are given
    /// back (give_back()), at most: a thread reads for one connection at a time, so a couple is
    /// enough, and what they hold is the same however many connections there are.
    static constexpr std::size_t spares_per_thread = 2;

private:
    /// Makes room for the next read: allocates the buffer if there is none, moves a partial
    /// frame to its front, and doubles it (up to the limit) when the partial frame fills it.
    /// Throws BufferLimitExceeded when it is full and as large as the limit already.
    void make_room();

    /// A buffer of `size` bytes, not zeroed: one this thread kept (give_back()) when `size` is
    /// read_size and there is one, else a new one. Chapter 11: freeing and allocating 16 KB for
    /// every read made malloc hand memory back to the kernel and fault it in again.
    static std::unique_ptr<char[]> take_buffer(std::size_t size);

    /// Gives a buffer of `size` bytes back: kept for this thread's next take_buffer() if it is
    /// of read_size bytes and the thread keeps fewer than spares_per_thread, freed otherwise.
    static void give_back(std::unique_ptr<char[]> buffer, std::size_t size);

    tcp::socket socket_;
    Parser parser_;
    // Received bytes live in buffer_[begin_, end_); the parser has not consumed them yet. No
    // buffer (capacity_ 0) while none are.
    std::unique_ptr<char[]> buffer_;
    std::size_t capacity_ = 0;
    std::size_t buffer_limit_;
    bool stopped_ = false;
    asio::cancellation_signal stop_reading_;  // cancels the read in progress
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace mini_redis
