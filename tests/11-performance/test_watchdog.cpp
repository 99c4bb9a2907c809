// Chapter 11: the watchdog as a timer and its handler, with no coroutine (exercise 11.9). Chapter
// 7's rules, through a real server: a client quiet for the idle timeout is closed (a subscriber
// is not), one that leaves its replies unread is cut off after the drain timeout, paused or done
// sending, and a session that ends leaves no watch behind. Every server has an idle timeout,
// so that its sessions start at once (chapter 11 parks a silent client, exercise 11.5,
// which comes later on the page). Time passes for real here, but no verdict depends on how
// fast: each test waits for what it expects, and none asserts that something has not happened
// yet.
#include "serving.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/tcp_table.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <string>

using ch11_test::newcomer_is_served;
using ch11_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::heap_in_use;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

namespace {

/// More bytes than a connection's buffers hold: the largest send buffer the kernel grows a socket
/// to (the server sets none of its own), and 1 MiB more for the client's receive buffer and what
/// is in flight. A reply this big is never all taken, so its write never ends.
std::size_t more_than_the_kernel_holds()
{
    const std::size_t max = mini_redis::testing::largest_send_buffer();
    REQUIRE(max > 0);
    return max + 1024 * 1024;
}

/// A Db holding "big", a value of more_than_the_kernel_holds() bytes, set here: under a
/// sanitizer, sending it could take the test's client longer than a timeout.
mini_redis::Db db_with_big_value()
{
    mini_redis::Db db;
    db.set("big", std::string(more_than_the_kernel_holds(), 'x'));
    return db;
}

}  // namespace

TEST_CASE(
    "a client that spoke, then went quiet for the idle timeout, is closed; a subscriber "
    "is not",
    "[ch11][ex11.9]")
{
    // The request comes after the session started, so the first look finds the client not yet
    // idle: only a watchdog that looks again closes it.
    auto server = server_with({.idle_timeout = 1s});
    TestClient subscriber(server.port());
    subscriber.send("SUBSCRIBE news\r\n");
    REQUIRE(subscriber.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");

    TestClient idle(server.port());
    idle.send("PING\r\n");
    REQUIRE(idle.read_reply() == "+PONG\r\n");
    CHECK(idle.read_until_closed().empty());  // closed without a word, as Redis does

    subscriber.send("PING\r\n");
    CHECK(subscriber.read_reply() == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

TEST_CASE(
    "a client paused for reading nothing is cut off after the drain timeout, even with an "
    "idle timeout of 1 h",
    "[ch11][ex11.9]")
{
    // One reply larger than the kernel's buffers hold, never read: the reader pauses for room
    // at its first request, and the pause never ends (the writer never finishes), so nothing
    // wakes the watchdog. Its next look must come within the drain timeout, not at the idle
    // timeout, an hour away. (With replies the kernel could take one by one, each pause would
    // end and wake it.) An idle timeout also starts each session at once, unparked.
    auto server = server_with({.max_connections = 1, .idle_timeout = 1h, .drain_timeout = 100ms},
                              db_with_big_value());
    TestClient hoarder(server.port());
    hoarder.limit_receive_buffer(4096);
    hoarder.send("GET big\r\nSET after 1\r\n");  // the SET is never reached before the pause
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
    // Nothing a client sent runs once it is cut off, not even what is buffered already.
    std::string reply;
    CHECK(eventually([&] {
        TestClient checker(server.port());  // refused until the newcomer's slot is free again
        checker.send("GET after\r\n");
        reply = checker.read_reply();
        return reply.rfind("-ERR max", 0) != 0;
    }));
    CHECK(reply == "$-1\r\n");
}

TEST_CASE(
    "a client that has stopped sending and leaves its replies unread is cut off after the "
    "drain timeout",
    "[ch11][ex11.9]")
{
    // A reply larger than the kernel's buffers hold, as above: were it all taken, the session
    // would end on its own, and the drain timeout would go untested.
    auto server = server_with({.max_connections = 1, .idle_timeout = 1h, .drain_timeout = 100ms},
                              db_with_big_value());
    TestClient hoarder(server.port());
    hoarder.limit_receive_buffer(4096);
    hoarder.send("GET big\r\n");
    hoarder.close_sending();  // done asking: only the replies are due, and they stay unread
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
}

TEST_CASE("a session that ends leaves no watch behind", "[ch11][ex11.9]")
{
    // A watch that went on after its session would keep its memory, and look at a connection
    // that is gone. 200 sessions that end must give back what they held, within 64 bytes each.
    constexpr long long sessions = 200;
    auto server = server_with({.idle_timeout = 1h});
    REQUIRE(newcomer_is_served(server.port()));  // the server's one-off allocations first
    const auto before = static_cast<long long>(heap_in_use());
    for (long long i = 0; i < sessions; ++i) {
        TestClient client(server.port());
        client.send("QUIT\r\n");
        REQUIRE(client.read_reply() == "+OK\r\n");
        client.read_until_closed();
    }
    long long held = 0;
    const bool given_back = eventually([&] {
        held = static_cast<long long>(heap_in_use()) - before;
        return held < sessions * 64;
    });
    INFO("the server holds " << held << " bytes more than before the sessions");
    CHECK(given_back);
}
