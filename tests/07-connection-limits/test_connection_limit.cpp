// Chapter 07: the limit on live connections (exercise 07.1).
#include "limits.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <vector>

using ch07_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;

namespace {

bool pings(TestClient& client)
{
    client.send("PING\r\n");
    return client.read_reply() == "+PONG\r\n";
}

}  // namespace

TEST_CASE("a client over the limit is told so and closed; a freed slot is usable again",
          "[ch07][ex07.1]")
{
    auto server = server_with({.max_connections = 3});
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TestClient>(server.port()));
        REQUIRE(pings(*clients.back()));
    }

    TestClient over(server.port());
    CHECK(over.read_until_closed() == "-ERR max number of clients reached\r\n");

    // The three are still served.
    for (auto& client : clients) {
        CHECK(pings(*client));
    }

    // One leaves; its slot frees once its session has ended, and a newcomer gets in.
    clients.front()->close_sending();
    CHECK(clients.front()->read_until_closed().empty());
    clients.erase(clients.begin());
    CHECK(eventually([&] {
        TestClient newcomer(server.port());
        newcomer.send("PING\r\n");
        return newcomer.read_reply() == "+PONG\r\n";
    }));
}

TEST_CASE("three hundred idle connections do not stop others being served", "[ch07][ex07.1]")
{
    auto server = server_with({.max_connections = 400});
    std::vector<std::unique_ptr<TestClient>> idle;
    for (int i = 0; i < 300; ++i) {
        idle.push_back(std::make_unique<TestClient>(server.port()));
    }
    TestClient active(server.port());
    for (int i = 0; i < 100; ++i) {
        active.send("SET k" + std::to_string(i) + " v\r\nGET k" + std::to_string(i) + "\r\n");
        REQUIRE(active.read_reply() == "+OK\r\n");
        REQUIRE(active.read_reply() == "$1\r\nv\r\n");
    }
    CHECK(pings(*idle.back()));  // the last idle one was accepted and is served too
}

TEST_CASE("the server executable refuses clients beyond --max-connections", "[ch07][ex07.1]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--max-connections", "2"});
    {
        TestClient first(server.port());
        TestClient second(server.port());
        REQUIRE(pings(first));
        REQUIRE(pings(second));
        TestClient third(server.port());
        CHECK(third.read_until_closed() == "-ERR max number of clients reached\r\n");
    }  // the clients leave first: from chapter 08 on, a shutdown would wait out its grace period
    server.signal(SIGINT);
    CHECK(server.wait() == 0);
}

TEST_CASE("under a low open-file limit the server takes fewer clients, and says so", "[ch07]")
{
    // prlimit (util-linux) starts the server with at most 128 open files, a hard limit it cannot
    // raise: room for 96 clients beside the 32 descriptors the server keeps for itself. Without
    // the adjustment, the 97th client would wait in vain for an accept() failing with "too many
    // open files" instead of being told the server is full.
    ServerProcess server("/usr/bin/prlimit", {"--nofile=128:128", MINI_REDIS_SERVER_BINARY,
                                              "--port", "0", "--max-connections", "1000"});
    CHECK(server.output().find("serving at most 96 clients") != std::string::npos);
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 96; ++i) {
        clients.push_back(std::make_unique<TestClient>(server.port()));
        REQUIRE(pings(*clients.back()));
    }
    TestClient one_more(server.port());
    CHECK(one_more.read_until_closed() == "-ERR max number of clients reached\r\n");
}
