// Chapter 08: a graceful shutdown of the in-process server, triggered by the test through the
// Shutdown API. Exercises 08.4 (the acceptor), 08.5 (sessions), 08.7 (forced) and 08.9 (the drain).
#include "db.hpp"
#include "server.hpp"
#include "shutdown.hpp"

#include "stubborn.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/error.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <thread>

using mini_redis::Shutdown;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
using namespace std::chrono_literals;

namespace {

TestServer server_until(Shutdown shutdown, mini_redis::ServerOptions options = {})
{
    return TestServer([shutdown, options](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::Db(), options, shutdown);
    });
}

/// Serves until the shutdown, then notes whether the client was still reading its replies.
mini_redis::asio::awaitable<void> serve_and_note(mini_redis::tcp::acceptor acceptor,
                                                 Shutdown shutdown,
                                                 mini_redis::ServerOptions options,
                                                 std::shared_ptr<std::atomic<bool>> client_done,
                                                 std::shared_ptr<std::atomic<bool>> early)
{
    co_await mini_redis::serve(std::move(acceptor), mini_redis::Db(), options, shutdown);
    *early = !client_done->load();
}

}  // namespace

TEST_CASE("on shutdown, a reply being written is finished, and the server waits for it",
          "[ch08][ex08.9]")
{
    // The client asked for 16 MiB and reads none of it yet: the server is mid-reply when the
    // shutdown begins. Within the grace period it must finish the reply, and not return before.
    // (A server that returns at once is caught unless it can return before the client reads
    // 1 MiB; a correct one is never blamed.)
    Shutdown shutdown;
    auto client_done = std::make_shared<std::atomic<bool>>(false);
    auto early = std::make_shared<std::atomic<bool>>(false);
    mini_redis::ServerOptions options{.shutdown_grace = 600s};
    TestServer server([=](mini_redis::tcp::acceptor acceptor) {
        return serve_and_note(std::move(acceptor), shutdown, options, client_done, early);
    });
    {
        TestClient client(server.port());
        ch08_test::make_stubborn(client);
        shutdown.request();
        const std::size_t size = 8 * 1024 * 1024;
        const std::string header = "$" + std::to_string(size) + "\r\n";
        // Until we have read 4 MiB of it, the server cannot even have handed the whole reply to
        // the kernel (its send buffer holds 4 MiB at most; see stubborn.hpp), let alone ended
        // the session: a server that has returned by now did not wait for it.
        const std::size_t part = 1024 * 1024;
        std::string first = client.read_exact(part);
        *client_done = true;
        first += client.read_exact(size + 2 - part);
        CHECK(first.find_first_not_of('b') == size);
        // The second GET may not have been read when the shutdown came: then it gets no reply.
        const std::string rest = client.read_until_closed();
        CHECK((rest.empty() || rest == header + std::string(size, 'b') + "\r\n"));
    }
    REQUIRE(server.wait_finished(5s));
    INFO(
        "serve() returned while the client was still reading its reply: it must wait until "
        "every session has ended (or the grace period is over)");
    CHECK_FALSE(early->load());
}

TEST_CASE("on shutdown, a pipelining client gets every reply it is due, whole, then a clean close",
          "[ch08][ex08.5]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown);
    TestClient client(server.port());
    std::string requests;
    for (int i = 0; i < 20000; ++i) {
        requests += "SET k" + std::to_string(i) + " v\r\n";
    }
    client.send(requests);
    REQUIRE(client.read_reply() == "+OK\r\n");  // the server is working through them

    shutdown.request();
    const std::string rest = client.read_until_closed();
    // Every request the server had read got its reply, and no reply was cut in half.
    CHECK(rest.size() % 5 == 0);
    for (std::size_t at = 0; at < rest.size(); at += 5) {
        REQUIRE(rest.compare(at, 5, "+OK\r\n") == 0);
    }
    CHECK(server.wait_finished(5s));
}

TEST_CASE("on shutdown, idle clients and subscribers see a clean close", "[ch08][ex08.5]")
{
    // A grace period that never ends first: the requested stage alone must end these sessions,
    // not the forced one that follows the grace.
    Shutdown shutdown;
    auto server = server_until(shutdown, {.shutdown_grace = 600s});
    TestClient idle(server.port());
    TestClient subscriber(server.port());
    subscriber.send("SUBSCRIBE news\r\n");
    REQUIRE(subscriber.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    idle.send("PING\r\n");
    REQUIRE(idle.read_reply() == "+PONG\r\n");

    shutdown.request();
    CHECK(idle.read_until_closed().empty());
    CHECK(subscriber.read_until_closed().empty());
    CHECK(server.wait_finished(5s));
}

TEST_CASE("on shutdown, a reply the client has not read yet still arrives whole", "[ch08][ex08.5]")
{
    // The client asked for two 8 MiB replies and reads none of them yet: most of the first is
    // still queued in the server when the shutdown is requested. A requested shutdown only stops
    // the reading: what was asked for before it is sent, whole. (Giving up on the client, as a
    // forced shutdown does, would drop it.)
    Shutdown shutdown;
    auto server = server_until(shutdown, {.shutdown_grace = 600s});
    TestClient client(server.port());
    ch08_test::make_stubborn(client);
    shutdown.request();
    const std::size_t size = 8 * 1024 * 1024;
    std::string first;
    try {
        first = client.read_exact(size + 2);
    } catch (const std::exception& e) {
        FAIL("the reply was cut off: " << e.what());
    }
    CHECK(first.find_first_not_of('b') == size);
    // The second GET may not have been read when the shutdown came: then it gets no reply.
    const std::string rest = client.read_until_closed();
    const std::string second =
        "$" + std::to_string(size) + "\r\n" + std::string(size, 'b') + "\r\n";
    CHECK((rest.empty() || rest == second));
}

TEST_CASE("a forced shutdown cuts off a client that never reads", "[ch08][ex08.5]")
{
    // No grace period to wait out here: the test forces the shutdown itself. The session must
    // give up on its client (drop what is queued, cancel the write in progress) and end, with
    // the client still not reading.
    Shutdown shutdown;
    auto server = server_until(shutdown, {.shutdown_grace = 600s});
    TestClient stubborn(server.port());
    ch08_test::make_stubborn(stubborn);
    shutdown.request();
    shutdown.force();
    INFO(
        "the server still runs after a forced shutdown: does the session give up on its client "
        "at the forced stage?");
    CHECK(server.wait_finished(5s));
}

TEST_CASE("once shut down, the server refuses new connections", "[ch08][ex08.4]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown);
    TestClient client(server.port());
    shutdown.request();
    CHECK(client.read_until_closed().empty());
    REQUIRE(server.wait_finished(5s));
    CHECK_THROWS_WITH(TestClient(server.port()), Catch::Contains("could not connect"));
}

TEST_CASE("a client that never reads cannot hold the shutdown past its grace period",
          "[ch08][ex08.9]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown, {.shutdown_grace = 200ms});
    TestClient stubborn(server.port());
    ch08_test::make_stubborn(stubborn);

    shutdown.request();
    CHECK(server.wait_finished(5s));
}

TEST_CASE("the whole server, purge task included, finishes after a shutdown", "[ch08][ex08.9]")
{
    Shutdown shutdown;
    TestServer server([shutdown](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::ServerOptions{}, shutdown);
    });
    TestClient client(server.port());
    client.send("SET k v PX 100000\r\n");
    REQUIRE(client.read_reply() == "+OK\r\n");
    shutdown.request();
    CHECK(client.read_until_closed().empty());
    CHECK(server.wait_finished(5s));
}

TEST_CASE("a shutdown ends the wait after a failed accept at once", "[ch08][ex08.4]")
{
    // Every accept fails ("too many open files") and the loop backs off for an hour: the real
    // timer, no fake. A shutdown must not wait for it.
    Shutdown shutdown;
    auto failed = std::make_shared<std::atomic<bool>>(false);
    mini_redis::ServerOptions options;
    options.accept_fault = [failed]() -> boost::system::error_code {
        *failed = true;
        return boost::asio::error::no_descriptors;
    };
    options.accept_backoff_start = std::chrono::hours(1);
    auto server = server_until(shutdown, options);
    REQUIRE(eventually([&] { return failed->load(); }));  // the loop is in, or going into, its wait

    shutdown.request();
    CHECK(server.wait_finished(5s));
}

TEST_CASE("on shutdown, a client still sending gets its last replies whole, not a reset",
          "[ch08][ex08.1]")
{
    // The server stops reading at the shutdown, but this client goes on sending GETs and reads
    // its replies slowly. Closing with its requests unread would make the kernel reset the
    // connection and drop replies in flight; the lingering close shuts only the sending side,
    // and throws away what still comes until the client closes too.
    Shutdown shutdown;
    // A grace period long enough never to end first: what is tested is the close, not the grace.
    // And a drain timeout as long: without the lingering close, no clean end of the stream
    // comes at all, and the hang guard below ends the test.
    auto server = server_until(shutdown, {.drain_timeout = 600s, .shutdown_grace = 600s});
    const std::string value(100 * 1000, 'v');
    {
        TestClient setter(server.port());
        setter.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                    value + "\r\n");
        REQUIRE(setter.read_reply() == "+OK\r\n");
    }
    const std::string reply = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";

    // Plain blocking sockets: one thread writes while this one reads, which needs the system
    // calls' own thread safety rather than a TestClient's.
    boost::asio::io_context context;
    mini_redis::tcp::socket socket(context);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const int fd = socket.native_handle();
    const int small = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const auto guard = mini_redis::testing::hang_guard(10s);
    const timeval limit{static_cast<time_t>(guard.count() / 1000), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);

    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::string gets;
        for (int i = 0; i < 16; ++i) {
            gets += "GET big\r\n";
        }
        while (!stop && ::send(fd, gets.data(), gets.size(), MSG_NOSIGNAL) > 0) {
        }
    });

    std::string received;
    std::size_t at_request = 0;
    bool answers_on = false;
    bool reset = false;
    std::array<char, 64 * 1024> chunk{};
    for (;;) {
        const auto n = ::recv(fd, chunk.data(), chunk.size(), 0);
        if (n <= 0) {
            reset = n < 0;  // a reset (or our hang guard); 0 is the clean end of the stream
            break;
        }
        received.append(chunk.data(), static_cast<std::size_t>(n));
        if (received.size() >= reply.size() && !shutdown.requested()) {
            shutdown.request();  // replies are flowing, and requests too
            at_request = received.size();
        }
        // After the request, only the GETs the server had read already are answered: a few
        // hundred at most (its read buffer holds 4 KiB of them). A server that reads on would
        // keep this loop going for ever.
        if (shutdown.requested() && received.size() - at_request > 1000 * reply.size()) {
            answers_on = true;
            break;
        }
        std::this_thread::sleep_for(2ms);  // a slow reader: replies stay in the server's buffers
    }
    stop = true;
    ::shutdown(fd, SHUT_RDWR);  // also ends a send() the server no longer drains
    writer.join();

    if (answers_on) {
        FAIL(
            "the server answered a thousand requests sent after the shutdown: does the session "
            "stop reading?");
    }
    CHECK_FALSE(reset);
    REQUIRE(received.size() >= reply.size());
    CHECK(received.size() % reply.size() == 0);
    CHECK(received.compare(received.size() - reply.size(), reply.size(), reply) == 0);
    CHECK(server.wait_finished(5s));
}

TEST_CASE("a forced shutdown ends a lingering close that the client never finishes",
          "[ch08][ex08.1]")
{
    // The client reads its reply and the end of the stream, but never closes its side: the
    // lingering close waits for it. The drain timeout (too long to matter here) or a forced
    // shutdown must end that wait; the forced one cancels the read through the outbox.
    Shutdown shutdown;
    auto server = server_until(shutdown, {.drain_timeout = 600s, .shutdown_grace = 600s});
    boost::asio::io_context context;
    mini_redis::tcp::socket socket(context);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const int fd = socket.native_handle();
    const auto guard = mini_redis::testing::hang_guard(10s);
    const timeval limit{static_cast<time_t>(guard.count() / 1000), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    REQUIRE(::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6);

    std::string received;
    std::array<char, 64> chunk{};
    ssize_t n = 0;
    while (received.size() < 7 && (n = ::recv(fd, chunk.data(), chunk.size(), 0)) > 0) {
        received.append(chunk.data(), static_cast<std::size_t>(n));
    }
    REQUIRE(received == "+PONG\r\n");

    shutdown.request();
    n = ::recv(fd, chunk.data(), chunk.size(), 0);
    REQUIRE(n == 0);  // the end of the stream: the server lingers now, waiting for our close

    shutdown.force();
    INFO(
        "the server still runs after a forced shutdown: can the abort cancel the lingering "
        "read?");
    CHECK(server.wait_finished(5s));
}
