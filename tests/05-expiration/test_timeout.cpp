// Chapter 05 through a socket: mini-redis's key_value_timeout scenario, on the manual clock.
// Exercise 05.2.
#include "manual_time.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using ch05_test::manual_clock_server;
using mini_redis::testing::ManualClock;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

TEST_CASE("mini-redis's key_value_timeout: a key set with EX 1 is gone a second later",
          "[ch05][ex05.2]")
{
    auto server = manual_clock_server();
    TestClient client(server.port());
    // Sent exactly as mini-redis's test sends it: the option as a simple string, the time as an
    // integer frame (see chapter 03 for why we accept those).
    client.send("*5\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n+EX\r\n:1\r\n");
    CHECK(client.read_reply() == "+OK\r\n");
    client.send("*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n");
    CHECK(client.read_reply() == "$5\r\nworld\r\n");

    ManualClock::advance(1s);

    client.send("*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n");
    CHECK(client.read_reply() == "$-1\r\n");
}

TEST_CASE("PX, overwrites and expiry over a socket", "[ch05][ex05.2]")
{
    auto server = manual_clock_server();
    TestClient client(server.port());
    client.send(
        "SET a 1 PX 100\r\nSET b 2 PX 100\r\nSET b 3\r\nSET c 4 PX 100\r\nSET c 5 PX 500\r\n");
    for (int i = 0; i < 5; ++i) {
        CHECK(client.read_reply() == "+OK\r\n");
    }
    ManualClock::advance(100ms);
    client.send("GET a\r\nGET b\r\nGET c\r\n");
    CHECK(client.read_reply() == "$-1\r\n");      // expired
    CHECK(client.read_reply() == "$1\r\n3\r\n");  // the plain SET cleared its expiry
    CHECK(client.read_reply() == "$1\r\n5\r\n");  // the later PX replaced the earlier one
    ManualClock::advance(400ms);
    client.send("GET c\r\n");
    CHECK(client.read_reply() == "$-1\r\n");
}
