// Chapter 07: what one client can make the server hold (exercise 07.3).
#include "limits.hpp"

#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch07_test::server_with;
using mini_redis::testing::TestClient;

TEST_CASE("a request larger than the query buffer limit closes that connection only",
          "[ch07][ex07.3]")
{
    auto server = server_with({.query_buffer_limit = 64 * 1024});
    TestClient bystander(server.port());

    TestClient greedy(server.port());
    // A bulk string of 1 MiB: allowed by the bulk length limit, but it cannot fit the buffer.
    const std::string value(1024 * 1024, 'x');
    greedy.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n");
    try {
        greedy.send(value);  // may fail half way: the server closes while we send
    } catch (const std::exception&) {
    }
    CHECK(greedy.read_until_closed().empty());  // closed without a reply, as Redis does

    bystander.send("PING\r\n");
    CHECK(bystander.read_reply() == "+PONG\r\n");
}

TEST_CASE("requests just under the query buffer limit are served", "[ch07][ex07.3]")
{
    auto server = server_with({.query_buffer_limit = 64 * 1024});
    TestClient client(server.port());
    const std::string value(60 * 1024, 'y');
    client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value +
                "\r\n");
    CHECK(client.read_reply() == "+OK\r\n");
    client.send("GET k\r\n");
    CHECK(client.read_reply() == "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n");
}

TEST_CASE("a bulk string over the length limit is a protocol error, and the server stays up",
          "[ch07][ex07.3]")
{
    auto server = server_with({.max_bulk_length = 1000});
    TestClient client(server.port());
    client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1001\r\n");
    CHECK(client.read_until_closed() == "-ERR Protocol error: invalid bulk length\r\n");
    TestClient next(server.port());
    next.send("PING\r\n");
    CHECK(next.read_reply() == "+PONG\r\n");
}
