// Chapter 01, exercise 01.1: the echo loop, tested on its own.
//
// These tests do not rely on the chapter's accept loop (exercise 01.2): each test accepts exactly
// one connection itself and hands it to echo_session, so 01.1 can be checked first.
#include "server.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <chrono>
#include <string>

using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
namespace asio = mini_redis::asio;
using mini_redis::tcp;

namespace {

/// A server that accepts a single client and runs the chapter's echo_session on it.
TestServer one_session_server()
{
    return TestServer([](tcp::acceptor acceptor) -> asio::awaitable<void> {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        co_await mini_redis::echo_session(std::move(socket));
    });
}

}  // namespace

TEST_CASE("bytes sent to the echo session come back unchanged", "[ch01][ex01.1]")
{
    auto server = one_session_server();
    TestClient client(server.port());

    client.send("hello\r\n");
    CHECK(client.read_exact(7) == "hello\r\n");

    client.send("and again");
    CHECK(client.read_exact(9) == "and again");
}

TEST_CASE("binary bytes, NUL and 0xFF included, echo back exactly", "[ch01][ex01.1]")
{
    auto server = one_session_server();
    TestClient client(server.port());

    std::string all_bytes;
    for (int b = 0; b < 256; ++b) {
        all_bytes.push_back(static_cast<char>(b));
    }
    client.send(all_bytes);
    CHECK(client.read_exact(all_bytes.size()) == all_bytes);
}

TEST_CASE("a 4 MiB payload echoes back complete and in order, across many reads", "[ch01][ex01.1]")
{
    auto server = one_session_server();
    TestClient client(server.port());

    // A pattern that changes every byte, so a lost, repeated or reordered chunk shows up.
    std::string payload(4 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
    }
    const std::string echoed = client.round_trip(payload, payload.size());
    CHECK(echoed.size() == payload.size());
    CHECK(echoed == payload);
}

TEST_CASE("a client's half-close ends its session after everything was echoed", "[ch01][ex01.1]")
{
    auto server = one_session_server();
    TestClient client(server.port());

    client.send("last words");
    client.close_sending();  // "I will send nothing more", while still reading

    // The server echoes what it got, sees end of stream, and closes: we read the echo, then the
    // close. A session that ignored end of stream would leave us waiting here until the deadline.
    CHECK(client.read_until_closed() == "last words");
}

TEST_CASE("an echo session ends quietly when its client vanishes", "[ch01][ex01.1]")
{
    // The session serves the first client and then, with nothing more to do, returns; the
    // harness coroutine below then accepts a second client. If the session crashed or hung on
    // the reset, the second client would never be echoed.
    TestServer server([](tcp::acceptor acceptor) -> asio::awaitable<void> {
        for (int i = 0; i < 2; ++i) {
            auto socket = co_await acceptor.async_accept(asio::use_awaitable);
            co_await mini_redis::echo_session(std::move(socket));
        }
    });

    TestClient vanishing(server.port());
    vanishing.send("bye");
    vanishing.abort();

    TestClient next(server.port());
    next.send("still there?");
    CHECK(next.read_exact(12) == "still there?");
}

TEST_CASE("an echo the kernel cannot take in one write still comes back whole", "[ch01][ex01.1]")
{
    // The client sends everything before it reads a byte, and its receive buffer (set before it
    // connects, so the window it announces stays small) and the server's send buffer are small:
    // the echo fills them, and from then on the kernel takes only part of a write. A session that
    // writes once per read (async_write_some) loses the rest. The server's receive buffer is made
    // large enough to hold what the client sends meanwhile, so a correct session cannot deadlock.
    TestServer server([](tcp::acceptor acceptor) -> asio::awaitable<void> {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        socket.set_option(asio::socket_base::send_buffer_size(4096));
        socket.set_option(asio::socket_base::receive_buffer_size(1024 * 1024));
        co_await mini_redis::echo_session(std::move(socket));
    });

    // A blocking client; the socket timeouts only guard against a hang.
    asio::io_context context;
    tcp::socket client(context);
    client.open(tcp::v4());
    client.set_option(asio::socket_base::receive_buffer_size(4096));
    const auto guard = mini_redis::testing::hang_guard(std::chrono::seconds(10));
    const timeval timeout{static_cast<time_t>(guard.count() / 1000), 0};
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    client.connect(tcp::endpoint(asio::ip::address_v4::loopback(), server.port()));

    std::string payload(256 * 1024, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<char>((i * 13 + i / 241) & 0xFF);
    }
    // The system calls themselves, not asio::write and read_some: Asio's blocking calls wait
    // out a socket timeout with poll() and try again, so they would never give up.
    const int fd = client.native_handle();
    for (std::size_t sent = 0; sent < payload.size();) {
        const auto n = ::send(fd, payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
        REQUIRE(n > 0);
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string echoed;
    std::array<char, 4096> chunk{};
    ssize_t n = 0;
    while ((n = ::recv(fd, chunk.data(), chunk.size(), 0)) > 0) {
        echoed.append(chunk.data(), static_cast<std::size_t>(n));
    }
    CHECK(n == 0);  // the end of the stream; -1 is a reset, or the hang guard's timeout
    CHECK(echoed.size() == payload.size());
    CHECK((echoed == payload));  // not the bytes themselves: binary, and 256 KiB of them
}
