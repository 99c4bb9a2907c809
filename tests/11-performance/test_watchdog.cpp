// Chapter 11: the watchdog as a timer and its handler, with no coroutine (exercise 11.9). Chapter
// 7's rules, through a real server: a client quiet for the idle timeout is closed (a subscriber
// is not), one that leaves its replies unread is cut off after the drain timeout, and a session
// that ends leaves no watch behind. Time passes for real here, but no verdict depends on how
// fast: each test waits for what it expects, and none asserts that something has not happened
// yet.
#include "db.hpp"
#include "server.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using mini_redis::testing::eventually;
using mini_redis::testing::heap_in_use;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
using namespace std::chrono_literals;

namespace {

/// serve() in-process on a free port, with `options`.
TestServer watched_server(mini_redis::ServerOptions options)
{
    return TestServer([options](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::Db(), options);
    });
}

/// True once a new client is served: the slot of a server with max_connections 1 is free.
bool newcomer_is_served(unsigned short port)
{
    TestClient newcomer(port);
    newcomer.send("PING\r\n");
    return newcomer.read_reply() == "+PONG\r\n";
}

}  // namespace

TEST_CASE(
    "a client that spoke, then went quiet for the idle timeout, is closed; a subscriber "
    "is not",
    "[ch11][ex11.9]")
{
    // The request comes after the session started, so the first look finds the client not yet
    // idle: only a watchdog that looks again closes it.
    auto server = watched_server({.idle_timeout = 200ms});
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

TEST_CASE("a client that leaves its replies unread is cut off after the drain timeout",
          "[ch11][ex11.9]")
{
    auto server = watched_server({.max_connections = 1, .drain_timeout = 100ms});
    TestClient hoarder(server.port());
    hoarder.limit_receive_buffer(4096);
    const std::string value(60 * 1024, 'x');
    hoarder.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                 value + "\r\n");
    for (int i = 0; i < 64; ++i) {
        hoarder.send("GET big\r\n");  // almost 4 MiB of replies it never reads
    }
    hoarder.close_sending();  // done asking: only the replies are due, and they stay unread
    // It stays connected and reads nothing: only the watchdog frees its slot.
    CHECK(eventually([&] { return newcomer_is_served(server.port()); }));
}

TEST_CASE("a session that ends leaves no watch behind", "[ch11][ex11.9]")
{
    // A watch that went on after its session would keep its memory, and look at a connection
    // that is gone. 200 sessions that end must give back what they held, within 64 bytes each.
    constexpr long long sessions = 200;
    auto server = watched_server({.idle_timeout = 1h});
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
