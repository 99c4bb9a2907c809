// Client: the other end of the wire. Connects to a Redis-compatible server (ours or a real
// redis-server) and turns calls like `co_await client.get("k")` into RESP commands and replies.
//
// The client reuses what the server is built from: Frame and encode() write the command, and a
// FrameReader in Syntax::frames mode reads the reply. Each call sends one command and waits for its
// one reply, so one Client serves one coroutine at a time (buffered_client.hpp shares one among
// many). Book: chapter 09, "An async client".
//
// One error rule for the whole client library: a call either does what it was asked or throws.
// The server treats an end of stream as an everyday event (a client leaving, see net.hpp); a
// client call waiting for its reply cannot, so there it is an exception (system_error with
// asio::error::eof). Only where waiting for the server's next word is the job itself is a close
// an answer: read_frame() and Subscriber::next_message() return std::nullopt. The three
// exception types, and what each leaves usable, are listed at ServerError below.
#pragma once

#include "frame.hpp"
#include "frame_reader.hpp"
#include "net.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis::client {

/// The server answered with an error reply, e.g. "ERR wrong number of arguments for 'get'
/// command". The connection is fine and the client may go on: unlike a
/// boost::system::system_error (the network failed, or the server closed the connection), which
/// leaves the client unusable. The third kind is ProtocolError: bytes that are not RESP (the
/// client is unusable after that too), or a reply of a kind the command never gives (only that
/// call fails). Three types, so a caller can catch the one it can do something about.
class ServerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a GET reply means: the value, or std::nullopt for a missing key. Throws ProtocolError
/// for any other frame. Shared by every client that sends GET.
std::optional<std::string> value_of_get_reply(Frame reply);

/// Checks that `reply` is +OK, as SET answers; throws ProtocolError naming `command` otherwise.
void expect_ok(const Frame& reply, std::string_view command);

/// A connection to a server, with one method per command. Move-only: it owns the socket.
class Client {
public:
    /// Resolves `host` (a name or an address) and connects to the first address that answers.
    /// Throws boost::system::system_error when none does (connection refused, unknown host).
    /// `timeout`, unless zero, bounds the whole of it, and then every wait of the client on the
    /// server (see set_timeout).
    static asio::awaitable<Client> connect(std::string host, unsigned short port,
                                           std::chrono::milliseconds timeout = {});

    /// Wraps a socket that is already connected.
    explicit Client(tcp::socket socket);

    /// PING: "PONG", or `message` echoed back.
    asio::awaitable<std::string> ping(std::optional<std::string> message = std::nullopt);

    /// GET: the value of `key`, or std::nullopt when the key does not exist.
    asio::awaitable<std::optional<std::string>> get(std::string key);

    /// SET: stores `value` under `key`, without an expiry (replacing an earlier one).
    asio::awaitable<void> set(std::string key, std::string value);

    /// SET with PX: stores `value` under `key` for `expires` (at least 1 ms, or the server
    /// refuses with a ServerError).
    asio::awaitable<void> set_expires(std::string key, std::string value,
                                      std::chrono::milliseconds expires);

    /// PUBLISH: sends `message` to `channel`; returns how many subscribers received it.
    asio::awaitable<std::int64_t> publish(std::string channel, std::string message);

    /// Sends any command and returns its reply. An error reply is thrown as ServerError. The
    /// named methods above are built on it; it is public for commands they do not cover.
    asio::awaitable<Frame> request(std::vector<std::string> command);

    /// Sends `command` without waiting for its reply: a subscriber reads its confirmations
    /// among the messages (see subscriber.hpp).
    asio::awaitable<void> send(std::vector<std::string> command);

    /// Reads the next frame the server sends; std::nullopt when the server closed the
    /// connection between frames.
    asio::awaitable<std::optional<Frame>> read_frame();

    /// Bounds each wait of the client on the server: the sending of a command, and the
    /// reading of each reply. One that takes longer than `timeout` is cancelled and throws
    /// boost::system::system_error with asio::error::timed_out. Zero, the default: no bound.
    /// A Subscriber is not bounded: waiting for messages is its job.
    void set_timeout(std::chrono::milliseconds timeout) noexcept { timeout_ = timeout; }

    // Once the connection failed (an I/O error, the server closed it, a reply that is not
    // RESP, a timeout), every later call throws that same error at once, without touching the
    // socket: a broken connection stays broken, and writing to it again can even wait for ever.
    // After a timeout the reply may still come, and would be taken for the next command's.
    //
    // Every call can also be cancelled through the caller's cancellation slot (one side of an
    // `a || b`, or a co_spawn bound to a cancellation_signal): it then throws system_error with
    // asio::error::operation_aborted, and the connection counts as failed, as after a timeout.

private:
    // Behind a pointer because a FrameReader cannot move (its cancellation signal is tied to its
    // address), and a Client must: connect() returns it, subscribe() takes it over.
    std::unique_ptr<FrameReader> connection_;
    std::string output_;         // the command being sent; kept to reuse its memory
    std::exception_ptr broken_;  // why the connection failed, once it has
    std::chrono::milliseconds timeout_{0};

    void throw_if_broken() const;
};

}  // namespace mini_redis::client
