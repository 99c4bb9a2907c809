// Chapter 07: what one client can make the server hold (exercise 07.3, and the session that
// applies the limits, 07.6).
#include "limits.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using ch07_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::heap_in_use;
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

TEST_CASE("a request of one and a half times the query buffer limit is refused too",
          "[ch07][ex07.3]")
{
    // The buffer doubles, but stops at the limit: a buffer that doubled past it (from 64 KiB to
    // 128 KiB) would take this request of 96 KiB.
    auto server = server_with({.query_buffer_limit = 64 * 1024});
    TestClient greedy(server.port());
    const std::string value(96 * 1024, 'x');
    try {
        greedy.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" +
                    value + "\r\n");
    } catch (const std::exception&) {
        // the server may close while we send
    }
    CHECK(greedy.read_until_closed().empty());
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

TEST_CASE("after a big request, a connection's read buffer shrinks back", "[ch07][ex07.3]")
{
    // Eight clients each send a request of 1 MiB, and each read buffer grows past it. Once the
    // replies are in, the readers wait for the next request with their buffers back to a few
    // KiB: the server's heap gives the megabytes back (the one value the Db keeps aside).
    auto server = server_with({});
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<TestClient>(server.port()));
        clients.back()->send("PING\r\n");
        REQUIRE(clients.back()->read_reply() == "+PONG\r\n");
    }
    const std::string value(1024 * 1024, 'x');
    const std::string request =
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
    const auto before = heap_in_use();
    for (auto& client : clients) {
        client->send(request);
        REQUIRE(client->read_reply() == "+OK\r\n");
    }
    INFO("the heap held " << before << " bytes before, " << heap_in_use() << " at the end");
    CHECK(eventually([&] { return heap_in_use() < before + 4 * 1024 * 1024; }));
}

TEST_CASE("every session holds to the query buffer limit of the options", "[ch07][ex07.6]")
{
    // The buffer's growth is 07.3's; handing the limit to each connection's FrameReader is the
    // session's (07.6). The same greedy client as above, without a bystander.
    auto server = server_with({.query_buffer_limit = 64 * 1024});
    TestClient greedy(server.port());
    const std::string value(1024 * 1024, 'x');
    greedy.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n");
    try {
        greedy.send(value);  // may fail half way: the server closes while we send
    } catch (const std::exception&) {
    }
    CHECK(greedy.read_until_closed().empty());
}

TEST_CASE("a bulk string over the length limit is a protocol error, and the server stays up",
          "[ch07][ex07.6]")
{
    auto server = server_with({.max_bulk_length = 1000});
    TestClient client(server.port());
    client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1001\r\n");
    CHECK(client.read_until_closed() == "-ERR Protocol error: invalid bulk length\r\n");
    TestClient next(server.port());
    next.send("PING\r\n");
    CHECK(next.read_reply() == "+PONG\r\n");
}
