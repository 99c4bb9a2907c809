// Chapter 07: peers that go quiet. A client that sends nothing for --timeout is closed (but not a
// subscriber); a client that leaves its replies unread is closed after the drain timeout, so it
// cannot hold its slot for ever; and accepted sockets have TCP keepalive on, so that a peer that
// vanished is noticed. Time passes for real here, but no verdict depends on how fast: every test
// waits for the close it expects, and no test asserts that something has *not* happened yet.
#include "limits.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/tcp_table.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>

using ch07_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t big_value_size = 1024 * 1024;

/// The kernel's timer on the established socket whose local port is `port`: 2 is the keepalive
/// timer, 0 none. -1 when there is no such socket.
int timer_of_established_socket(unsigned short port)
{
    for (const auto& socket : mini_redis::testing::tcp_sockets()) {
        if (socket.established && socket.local_port == port) {
            return socket.timer;
        }
    }
    return -1;
}

/// A Db holding "big", a value of 1 MiB. Set here rather than sent by the test's client: under a
/// sanitizer on a busy machine, sending it may take longer than a test's idle timeout, and the
/// server would rightly close a client that sent no whole request for that long.
mini_redis::Db db_with_big_value()
{
    mini_redis::Db db;
    db.set("big", std::string(big_value_size, 'x'));
    return db;
}

/// Asks for "big" (see db_with_big_value) again and again without reading a reply: more than
/// the kernel's buffers hold (the server's send buffer grows to tcp_wmem's maximum at most), so
/// the server's reader must pause, stalled, until the client reads. Returns the replies due.
/// A client that reads them later needs a receive buffer of 64 KiB at least: through a smaller
/// window, the kernel sends in fits and starts, with pauses of seconds.
std::string ask_for_more_than_the_buffers_hold(TestClient& client, int receive_buffer)
{
    const std::size_t max = mini_redis::testing::largest_send_buffer();
    REQUIRE(max > 0);
    client.limit_receive_buffer(receive_buffer);
    const std::string reply =
        "$" + std::to_string(big_value_size) + "\r\n" + std::string(big_value_size, 'x') + "\r\n";
    const std::size_t gets = 2 * (max + big_value_size) / big_value_size + 1;
    std::string requests, replies;
    for (std::size_t i = 0; i < gets; ++i) {
        requests += "GET big\r\n";
        replies += reply;
    }
    client.send(requests);
    return replies;
}

bool newcomer_is_served(unsigned short port)
{
    TestClient newcomer(port);
    newcomer.send("PING\r\n");
    return newcomer.read_reply() == "+PONG\r\n";
}

}  // namespace

TEST_CASE("a client that sends nothing for the idle timeout is closed, a subscriber is not",
          "[ch07][ex07.4]")
{
    auto server = server_with({.idle_timeout = 200ms});
    TestClient subscriber(server.port());
    subscriber.send("SUBSCRIBE news\r\n");
    REQUIRE(subscriber.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");

    TestClient idle(server.port());
    idle.send("PING\r\n");
    REQUIRE(idle.read_reply() == "+PONG\r\n");
    CHECK(idle.read_until_closed().empty());  // closed without a word, as Redis does

    // The subscriber has been quiet longer than the idle client was, and is still served.
    subscriber.send("PING\r\n");
    CHECK(subscriber.read_reply() == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

TEST_CASE("a client that leaves its replies unread cannot hold its slot for ever", "[ch07][ex07.4]")
{
    auto server = server_with({.max_connections = 1, .drain_timeout = 100ms});
    {
        TestClient hoarder(server.port());
        hoarder.limit_receive_buffer(4096);
        const std::string value(60 * 1024, 'x');
        hoarder.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                     value + "\r\n");
        for (int i = 0; i < 64; ++i) {
            hoarder.send("GET big\r\n");  // almost 4 MiB of replies it never reads
        }
        hoarder.close_sending();  // and it says it is done: only the replies are due
        // It stays open on our side, unread, until the server gives up on it.
        CHECK(eventually([&] {
            TestClient newcomer(server.port());
            newcomer.send("PING\r\n");
            return newcomer.read_reply() == "+PONG\r\n";
        }));
    }
}

TEST_CASE("a client that stops reading its replies is cut off after the drain timeout",
          "[ch07][ex07.5]")
{
    // The reader pauses for room and shows the watchdog it is stalled; the client keeps its
    // connection open and reads nothing, so only the drain timeout frees its slot.
    auto server = server_with({.max_connections = 1, .drain_timeout = 100ms}, db_with_big_value());
    TestClient hoarder(server.port());
    ask_for_more_than_the_buffers_hold(hoarder, 4096);
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
}

TEST_CASE("a stalled client is cut off after the drain timeout, even with an idle timeout of 1 h",
          "[ch07][ex07.4]")
{
    // The watchdog must still look every drain timeout, since a client can stall long before its
    // idle deadline, and the reader does not wake the watchdog when it pauses.
    auto server = server_with({.max_connections = 1, .idle_timeout = 1h, .drain_timeout = 100ms},
                              db_with_big_value());
    TestClient hoarder(server.port());
    ask_for_more_than_the_buffers_hold(hoarder, 4096);
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
}

TEST_CASE("a client that was paused, then read its replies and went quiet, is closed as idle",
          "[ch07][ex07.5]")
{
    // Once the client reads, its stall is over: the watchdog must see it idle again, not stalled
    // since the first pause (the drain timeout is an hour: a stall never ends this test). How
    // much arrives before the close depends on how fast we read; that the close comes does not.
    auto server = server_with({.idle_timeout = 200ms, .drain_timeout = 1h}, db_with_big_value());
    TestClient client(server.port());
    const std::string replies = ask_for_more_than_the_buffers_hold(client, 64 * 1024);
    // The stall must outlast the idle timeout, so that the watchdog looks while it lasts and goes
    // to sleep towards the stall's deadline; the reader must wake it when the stall ends. This
    // wait only gives a mistake the chance to show: correct code passes after any wait.
    std::this_thread::sleep_for(1s);
    std::string received;
    CHECK_NOTHROW(received = client.read_until_closed());
    CHECK(replies.starts_with(received));
}

TEST_CASE("a client that leaves gives its slot back at once, however long the drain timeout",
          "[ch07][ex07.6]")
{
    // Once reader and writer are done, the session ends: the watchdog beside them is cancelled,
    // not waited for (it would wait out the drain timeout of the last replies, here an hour).
    auto server = server_with({.max_connections = 1, .drain_timeout = 1h});
    {
        TestClient first(server.port());
        first.send("PING\r\n");
        REQUIRE(first.read_reply() == "+PONG\r\n");
        first.close_sending();
        CHECK(first.read_until_closed().empty());
    }
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
}

TEST_CASE("every session turns keepalive on with the server's setting", "[ch07][ex07.6]")
{
    // Setting the probes up is 07.7's; calling it for every connection is the session's.
    auto server = server_with({.tcp_keepalive = 60});
    TestClient client(server.port());
    client.send("PING\r\n");
    REQUIRE(client.read_reply() == "+PONG\r\n");
    CHECK(eventually([&] { return timer_of_established_socket(server.port()) == 2; }));
}

TEST_CASE("accepted connections have TCP keepalive on, unless it is set to zero", "[ch07][ex07.7]")
{
    {
        auto server = server_with({});  // Redis's default: probes after 300 s of silence
        TestClient client(server.port());
        client.send("PING\r\n");
        REQUIRE(client.read_reply() == "+PONG\r\n");
        // (Until the client's acknowledgement arrives, the kernel runs the retransmit timer.)
        CHECK(eventually([&] { return timer_of_established_socket(server.port()) == 2; }));
    }
    {
        auto server = server_with({.tcp_keepalive = 0});
        TestClient client(server.port());
        client.send("PING\r\n");
        REQUIRE(client.read_reply() == "+PONG\r\n");
        CHECK(eventually([&] { return timer_of_established_socket(server.port()) == 0; }));
    }
}

TEST_CASE("the server executable takes --timeout and --tcp-keepalive", "[ch07]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY,
                         {"--port", "0", "--timeout", "1", "--tcp-keepalive", "0"});
    TestClient idle(server.port());
    idle.send("PING\r\n");
    REQUIRE(idle.read_reply() == "+PONG\r\n");
    CHECK(eventually([&] { return timer_of_established_socket(server.port()) == 0; }));
    CHECK(idle.read_until_closed().empty());  // after a second of silence
}

TEST_CASE("a client paused while its replies pile up goes on once it reads them", "[ch07][ex07.5]")
{
    // The reader waits for room, the watchdog sees it stalled; once the client reads, the stall
    // is over and the session goes on. The drain timeout is long: it only guards a hang.
    auto server = server_with({.drain_timeout = 30s});
    TestClient client(server.port());
    const std::string value(64 * 1024, 'v');
    client.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                value + "\r\n");
    REQUIRE(client.read_reply() == "+OK\r\n");
    std::string requests;
    for (int i = 0; i < 64; ++i) {
        requests += "GET big\r\n";  // 4 MiB of replies: the reader pauses on the way
    }
    const std::string one = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
    std::string expected;
    for (int i = 0; i < 64; ++i) {
        expected += one;
    }
    CHECK(client.round_trip(requests, expected.size()) == expected);
    client.send("PING\r\n");
    CHECK(client.read_reply() == "+PONG\r\n");
}
