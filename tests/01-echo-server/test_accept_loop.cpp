// Chapter 01, exercise 01.2: the accept loop, one coroutine per client.
//
// These tests run the chapter's own serve() and so also need the echo loop (exercise 01.1).
#include "server.hpp"

#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

using mini_redis::tcp;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;

namespace {

TestServer echo_server()
{
    return TestServer(
        [](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

}  // namespace

TEST_CASE("many clients connected at once each get their own bytes back", "[ch01][ex01.2]")
{
    auto server = echo_server();

    // All clients connect and send before any reads its echo: a server that served one client
    // at a time (awaiting each session instead of spawning it) would answer only the first.
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 50; ++i) {
        clients.push_back(std::make_unique<TestClient>(server.port()));
        clients.back()->send(fmt::format("client {:02}", i));
    }
    for (int i = 49; i >= 0; --i) {
        CHECK(clients[i]->read_exact(9) == fmt::format("client {:02}", i));
    }
}

TEST_CASE("a client that connects and sends nothing does not hold up others", "[ch01][ex01.2]")
{
    auto server = echo_server();
    TestClient silent(server.port());

    TestClient talker(server.port());
    talker.send("ping");
    CHECK(talker.read_exact(4) == "ping");
}

TEST_CASE("the server keeps serving after a client vanishes abruptly", "[ch01][ex01.2]")
{
    auto server = echo_server();

    for (int i = 0; i < 20; ++i) {
        TestClient vanishing(server.port());
        vanishing.send("half a message that nobody will rea");
        vanishing.abort();  // a reset, as when a client process crashes
    }

    TestClient survivor(server.port());
    survivor.send("still serving");
    CHECK(survivor.read_exact(13) == "still serving");
}

TEST_CASE("the server keeps accepting after hundreds of clients came and went", "[ch01][ex01.2]")
{
    auto server = echo_server();

    for (int i = 0; i < 300; ++i) {
        TestClient client(server.port());
        client.send("x");
        REQUIRE(client.read_exact(1) == "x");
        client.close_sending();
        REQUIRE(client.read_until_closed().empty());
    }
}
