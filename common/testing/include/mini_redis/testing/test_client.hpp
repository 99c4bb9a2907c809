// A raw test client: sends exact bytes and reads exact bytes, and never waits forever.
//
// Tests speak to the server through a real socket on 127.0.0.1, as a user's client would. Every
// call that waits has a deadline against silence: when nothing has moved for that long, or as
// soon as the server reaches an exercise stub (stub_watch.hpp), the call throws with a message
// that says what it was waiting for and quotes the server's recent log (where an unfinished
// exercise names itself). Large transfers may take as long as they
// need, so a slow machine never fails a test that a fast one passes. The client is blocking and
// single-threaded on purpose: Catch2's assertions are only safe on the test's own thread, and a
// test reads best as "send this, expect that".
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace mini_redis::testing {

class TestClient {
public:
    /// How long a call may wait with nothing arriving, unless the constructor is told otherwise
    /// (before hang_guard() stretches it for sanitizer builds).
    static constexpr std::chrono::milliseconds default_deadline{5000};

    /// Connects to 127.0.0.1:`port`; throws if that fails within hang_guard(deadline).
    explicit TestClient(unsigned short port, std::chrono::milliseconds deadline = default_deadline);

    /// Writes all of `bytes`.
    void send(std::string_view bytes);

    /// Reads exactly `n` bytes; throws if the connection ends first.
    std::string read_exact(std::size_t n);

    /// Reads one complete RESP2 reply (any type, nested arrays included) and returns its raw
    /// bytes, e.g. "+OK\r\n" or "*2\r\n$1\r\na\r\n:1\r\n". Parsed independently of the chapter's
    /// own parser, so a test never trusts the code it checks.
    std::string read_reply();

    /// Sends `bytes` while reading `expected` bytes back at the same time, and returns them.
    /// Use it for payloads larger than the socket buffers: sending all first and reading after
    /// would deadlock once both sides' buffers are full.
    std::string round_trip(std::string_view bytes, std::size_t expected);

    /// Reads until the server closes the connection, then closes this end too, as real clients
    /// do; returns what arrived before the close.
    /// A reset counts as a close. Throws if the connection is still open at the deadline.
    std::string read_until_closed();

    /// Half-close: tells the server we will send nothing more (shutdown of our sending side),
    /// while still reading what it sends.
    void close_sending();

    /// Closes abruptly, as a crashed client would: the kernel sends a reset, not a clean end.
    void abort();

    /// Caps the kernel's receive buffer for this connection at about `bytes` (SO_RCVBUF). Tests
    /// of a client that stops reading call it first: the kernel's buffers then fill after a few
    /// hundred KiB, whatever the machine's TCP autotuning would allow (on some machines a
    /// loopback receive buffer grows to 32 MiB), so such a test needs little data and behaves
    /// the same everywhere.
    void limit_receive_buffer(int bytes);

    /// The port this end of the connection got from the kernel: the server sees it as the
    /// client's port.
    unsigned short local_port() const { return socket_.local_endpoint().port(); }

private:
    std::size_t fill(std::string_view waiting_for);
    std::string take(std::size_t n);
    std::string read_line();
    [[noreturn]] void fail(std::string_view message) const;

    boost::asio::io_context context_;
    boost::asio::ip::tcp::socket socket_;
    std::chrono::milliseconds deadline_;  // silence allowed per wait, already stretched
    std::string pending_;                 // bytes received but not yet returned to the test
    bool closed_ = false;                 // the server ended the connection
};

/// One whole conversation on a fresh connection: sends `request`, closes the sending side, and
/// returns every byte the server sent before it closed. Compares servers byte for byte.
std::string conversation(unsigned short port, std::string_view request);

}  // namespace mini_redis::testing
