// Every chapter's server outlives the reader of its log: `mini-redis-server | head -1` must not
// end the server when head exits. Built against every later chapter too (LATER_SOURCES), so the
// request below is one every chapter answers: an echo server echoes it, later ones say PONG.
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;

namespace {

// Sends PING as a RESP array and returns the first four bytes of the answer.
std::string ping(unsigned short port)
{
    TestClient client(port);
    client.send("*1\r\n$4\r\nPING\r\n");
    return client.read_exact(4);
}

}  // namespace

TEST_CASE("the server keeps serving after the reader of its log went away", "[ch01]")
{
    // At debug level the server logs every connection, so each ping() below writes to a pipe
    // nobody reads. That write fails with EPIPE and raises SIGPIPE, whose default action ends
    // the process; main ignores SIGPIPE, so the write just fails and the server goes on.
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--log-level", "debug"});
    server.close_output();
    for (int i = 0; i < 3; ++i) {
        const auto answer = ping(server.port());
        CHECK((answer == "*1\r\n" || answer == "+PON"));
    }
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}
