// Chapter 08 as a program: SIGINT and SIGTERM to the built server (exercise 08.10).
#include "stubborn.hpp"

#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <string>

using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

TEST_CASE("SIGINT shuts the server down gracefully: replies delivered, exit status 0",
          "[ch08][ex08.10]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    TestClient client(server.port());
    client.send("SET k v\r\nGET k\r\n");
    CHECK(client.read_reply() == "+OK\r\n");
    server.signal(SIGINT);
    CHECK(client.read_reply() == "$1\r\nv\r\n");  // sent before the signal: still answered
    CHECK(client.read_until_closed().empty());
    CHECK(server.wait(5s) == 0);
    CHECK(server.output().find("shutdown complete") != std::string::npos);
}

TEST_CASE("SIGTERM shuts the server down gracefully too", "[ch08][ex08.10]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    // "listening on" comes once the signal handler is installed, "serving on" once the threads
    // run: after either, SIGTERM must end the server gracefully.
    server.wait_for_output("serving on", 5s);
    server.signal(SIGTERM);
    CHECK(server.wait(5s) == 0);
}

TEST_CASE("a second SIGINT during a shutdown exits at once with status 130", "[ch08][ex08.10]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    // A client that never reads its replies keeps the shutdown waiting (for its 5 s of grace).
    TestClient stubborn(server.port());
    ch08_test::make_stubborn(stubborn);

    server.signal(SIGINT);
    REQUIRE_NOTHROW(server.wait_for_output("shutting down", 5s));
    server.signal(SIGINT);
    CHECK(server.wait(2s) == 130);
}
