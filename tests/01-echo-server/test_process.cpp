// Chapter 01 as a program: the built server executable, started the way a user starts it.
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <exception>
#include <string>

using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;

TEST_CASE("the server executable echoes on the port it reports, and Ctrl-C or SIGTERM stops it",
          "[ch01][ex01.3]")
{
    const int signal = GENERATE(SIGINT, SIGTERM);
    INFO("signal " << signal);
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    TestClient client(server.port());
    client.send("over the wire");
    CHECK(client.read_exact(13) == "over the wire");

    server.signal(signal);
    server.wait_for_output("received, stopping", std::chrono::seconds(10));
    // The handler that printed that line stopped the event loop: from then on no coroutine
    // resumes, so bytes sent now are never echoed. The client sees its connection end when the
    // process exits instead. An echo means the loop still runs after the signal.
    client.send("after");
    std::string late_echo;
    try {
        late_echo = client.read_exact(5);
    } catch (const std::exception&) {
        // the connection ended without an echo: the loop had stopped
    }
    INFO(
        "the server echoed bytes sent after the signal: does the signal handler stop the "
        "io_context, so that context.run() returns?");
    REQUIRE(late_echo.empty());
    CHECK(server.wait() == 0);
}

TEST_CASE("the server executable refuses an unknown log level with a clear error", "[ch01]")
{
    // Bad input on the command line is an error message and a non-zero exit, not a crash.
    CHECK_THROWS_WITH(
        ServerProcess(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--log-level", "loud"}),
        Catch::Contains("unknown log level 'loud'"));
}
