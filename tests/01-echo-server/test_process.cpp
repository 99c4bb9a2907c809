// Chapter 01 as a program: the built server executable, started the way a user starts it.
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;

TEST_CASE("the server executable echoes on the port it reports, and Ctrl-C stops it",
          "[ch01][ex01.3]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    {
        TestClient client(server.port());
        client.send("over the wire");
        CHECK(client.read_exact(13) == "over the wire");
    }
    server.signal(SIGINT);
    CHECK(server.wait() == 0);
}

TEST_CASE("the server executable refuses an unknown log level with a clear error", "[ch01]")
{
    // Bad input on the command line is an error message and a non-zero exit, not a crash.
    CHECK_THROWS_WITH(
        ServerProcess(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--log-level", "loud"}),
        Catch::Contains("unknown log level 'loud'"));
}
