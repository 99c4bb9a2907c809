// Chapter 07: a failure inside one session (here, memory running out) ends that session alone,
// and leaves nothing of it behind: its client is closed, its connection slot is free again, and
// the channels it subscribed to no longer hold its outbox.
#include "limits.hpp"

#include "mini_redis/testing/allocations.hpp"
#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch07_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::fail_next_allocation_of_at_least;
using mini_redis::testing::TestClient;

TEST_CASE("a session that runs out of memory ends alone, and gives back its slot and channels",
          "[ch07][ex07.1]")
{
    auto server = server_with({.max_connections = 2});
    TestClient publisher(server.port());
    TestClient victim(server.port());
    victim.send("SUBSCRIBE news\r\n");
    REQUIRE(victim.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    publisher.send("PUBLISH news hello\r\n");
    REQUIRE(publisher.read_reply() == ":1\r\n");

    // A request of 256 KiB makes the victim's read buffer grow past 200 KiB, and that
    // allocation fails: std::bad_alloc in the middle of the session's reader.
    const std::string value(256 * 1024, 'x');
    const std::string request =
        "*2\r\n$4\r\nECHO\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
    fail_next_allocation_of_at_least(200 * 1024);
    try {
        victim.send(request);  // may fail half way: the server closes while we send
    } catch (const std::exception&) {
    }
    CHECK(victim.read_until_closed().find("hello") != std::string::npos);  // then closed

    // Its channel no longer counts it, and its slot takes a newcomer; the server serves on.
    CHECK(eventually([&] {
        publisher.send("PUBLISH news again\r\n");
        return publisher.read_reply() == ":0\r\n";
    }));
    CHECK(eventually([&] {
        TestClient newcomer(server.port());
        newcomer.send("PING\r\n");
        return newcomer.read_reply() == "+PONG\r\n";
    }));
}
