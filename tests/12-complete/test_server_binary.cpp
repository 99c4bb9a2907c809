// Chapter 12: mini-redis-server as a command-line program: its flags, its log, its exit status.
#include "complete_test.hpp"

#include "mini_redis/testing/run_program.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using mini_redis::testing::run_program;
using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;

namespace {

/// Sends one inline PING to the server on `port` and returns the reply.
std::string ping(unsigned short port)
{
    TestClient client(port);
    client.send("PING\r\n");
    return client.read_reply();
}

}  // namespace

TEST_CASE("mini-redis-server --help lists every flag and --version prints the version", "[ch12]")
{
    auto help = run_program({MINI_REDIS_SERVER_BINARY, "--help"});
    CHECK(help.status == 0);
    for (const char* flag :
         {"--port", "--bind", "--max-connections", "--timeout", "--tcp-keepalive", "--log-level",
          "--threads", "--otel", "--otel-endpoint", "--otel-xray-ids", "--version"}) {
        CHECK_THAT(help.output, Catch::Contains(flag));
    }
    auto version = run_program({MINI_REDIS_SERVER_BINARY, "--version"});
    CHECK(version.status == 0);
    CHECK(version.output == "mini-redis-server " MINI_REDIS_VERSION "\n");
    CHECK(run_program({MINI_REDIS_SERVER_BINARY, "--no-such-flag"}).status != 0);
}

TEST_CASE("mini-redis-server logs its start and its shutdown, and exits 0 on SIGTERM", "[ch12]")
{
    auto server = ch12_test::start_server();
    CHECK(ping(server->port()) == "+PONG\r\n");
    server->signal(SIGTERM);
    CHECK(server->wait() == 0);
    const auto log = server->output();
    CHECK_THAT(log, Catch::Contains("mini-redis-server " MINI_REDIS_VERSION " starting"));
    CHECK_THAT(log, Catch::Contains("listening on 127.0.0.1:"));
    CHECK_THAT(log, Catch::Contains("shutdown complete"));
}

TEST_CASE("mini-redis-server --bind chooses the address it listens on", "[ch12]")
{
    {
        // A machine without IPv6 loopback cannot run this test: say so rather than fail.
        boost::asio::io_context context;
        boost::asio::ip::tcp::acceptor probe(context);
        boost::system::error_code error;
        probe.open(boost::asio::ip::tcp::v6(), error);
        if (!error) {
            probe.bind({boost::asio::ip::make_address("::1"), 0}, error);
        }
        if (error) {
            WARN("skipped: no IPv6 loopback here (" << error.message() << ")");
            return;
        }
    }
    auto server = ch12_test::start_server({"--bind", "::1"});
    CHECK_THAT(server->output(), Catch::Contains("listening on ::1:"));
    auto reply =
        run_program({"redis-cli", "-h", "::1", "-p", std::to_string(server->port()), "ping"});
    CHECK(reply.output == "PONG\n");
    // Not on 127.0.0.1: nothing listens there on this port.
    CHECK(run_program({"redis-cli", "-p", std::to_string(server->port()), "ping"}).status != 0);
}

TEST_CASE("mini-redis-server --max-connections refuses clients over the limit", "[ch12]")
{
    auto server = ch12_test::start_server({"--max-connections", "2"});
    TestClient first(server->port());
    TestClient second(server->port());
    first.send("PING\r\n");
    CHECK(first.read_reply() == "+PONG\r\n");
    second.send("PING\r\n");
    CHECK(second.read_reply() == "+PONG\r\n");
    TestClient third(server->port());
    CHECK(third.read_until_closed() == "-ERR max number of clients reached\r\n");
}

TEST_CASE("mini-redis-server --log-level and SPDLOG_LEVEL choose what is logged", "[ch12]")
{
    // The port is taken, so the server logs one error and exits: warn hides its info lines.
    auto taken = ch12_test::start_server();
    const auto port = std::to_string(taken->port());
    auto flag = run_program({MINI_REDIS_SERVER_BINARY, "--port", port, "--log-level", "warn"});
    CHECK(flag.status == 1);
    CHECK_THAT(flag.output, Catch::Contains("[error]") && !Catch::Contains("[info]"));
    auto env = run_program({"env", "SPDLOG_LEVEL=warn", MINI_REDIS_SERVER_BINARY, "--port", port});
    CHECK(env.status == 1);
    CHECK_THAT(env.output, Catch::Contains("[error]") && !Catch::Contains("[info]"));

    // And debug shows what info leaves out, such as a client leaving.
    auto chatty = ch12_test::start_server({"--log-level", "debug"});
    CHECK(ping(chatty->port()) == "+PONG\r\n");
    chatty->wait_for_output("closed the connection", std::chrono::seconds(5));
    CHECK_THAT(chatty->output(), Catch::Contains("[debug]"));
}

TEST_CASE("mini-redis-server exits 1 with a clear message when its port is taken", "[ch12]")
{
    auto first = ch12_test::start_server();
    auto second = run_program({MINI_REDIS_SERVER_BINARY, "--port", std::to_string(first->port())});
    CHECK(second.status == 1);
    CHECK_THAT(second.output, Catch::Contains("Address already in use"));
}

TEST_CASE("mini-redis's frame validation: $-2 is an invalid bulk length, the server stays up",
          "[ch12]")
{
    auto server = ch12_test::start_server();
    TestClient bad(server->port());
    bad.send("*1\r\n$-2\r\n");
    CHECK(bad.read_until_closed() == "-ERR Protocol error: invalid bulk length\r\n");
    CHECK(ping(server->port()) == "+PONG\r\n");
}
