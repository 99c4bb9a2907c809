// Chapter 12: the three examples, built and run against the complete server as a user runs them.
#include "complete_test.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/run_program.hpp"
#include "mini_redis/testing/server_process.hpp"

#include "mini_redis/testing/free_port.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using mini_redis::testing::run_program;

namespace {

/// The path of the example program `name`, built beside this chapter's server.
std::string example(const std::string& name)
{
    return std::string(MINI_REDIS_EXAMPLES_DIR) + "/" + name;
}

}  // namespace

TEST_CASE("hello_world sets a key and prints the value it gets back", "[ch12][ex12.1]")
{
    auto server = ch12_test::start_server();
    auto result = run_program({example("hello_world"), std::to_string(server->port())});
    CHECK(result.status == 0);
    CHECK(result.output == "got value from the server: \"world\"\n");
    // The key really is on the server.
    CHECK(run_program({"redis-cli", "-p", std::to_string(server->port()), "get", "hello"}).output ==
          "world\n");
}

TEST_CASE("hello_world says so, and exits 1, when no server listens", "[ch12][ex12.2]")
{
    const auto port = mini_redis::testing::free_port();  // nobody listens there
    auto result = run_program({example("hello_world"), std::to_string(port)});
    CHECK(result.status == 1);
    CHECK_THAT(result.output,
               Catch::StartsWith("hello_world: ") && Catch::Contains("Connection refused"));
}

TEST_CASE("hello_world talks to the server on the port it is given, and exits 0", "[ch12][ex12.2]")
{
    // What it prints is exercise 12.1's; here: the port from argv[1], and the status.
    auto server = ch12_test::start_server();
    auto result = run_program({example("hello_world"), std::to_string(server->port())});
    CHECK(result.status == 0);
    CHECK(run_program({"redis-cli", "-p", std::to_string(server->port()), "get", "hello"}).output ==
          "world\n");
}

TEST_CASE("pub publishes on numbers and reports the receivers", "[ch12][ex12.3]")
{
    auto server = ch12_test::start_server();
    const auto port = std::to_string(server->port());
    auto alone = run_program({example("pub"), port});
    REQUIRE(alone.status == 0);  // the rest needs a working pub
    CHECK(alone.output == "published to 0 subscriber(s)\n");

    mini_redis::testing::ServerProcess listener(mini_redis::testing::find_on_path("redis-cli"),
                                                {"-p", port, "subscribe", "numbers"},
                                                std::chrono::seconds(10), "subscribe\nnumbers\n1");
    CHECK(run_program({example("pub"), port}).output == "published to 1 subscriber(s)\n");
    listener.wait_for_output("message\nnumbers\n1\n", std::chrono::seconds(5));
}

TEST_CASE("pub says so, and exits 1, when no server listens", "[ch12][ex12.3]")
{
    const auto port = mini_redis::testing::free_port();  // nobody listens there
    auto result = run_program({example("pub"), std::to_string(port)});
    CHECK(result.status == 1);
    CHECK_THAT(result.output, Catch::StartsWith("pub: ") && Catch::Contains("Connection refused"));
}

TEST_CASE("sub prints every message published on numbers until the server shuts down",
          "[ch12][ex12.4]")
{
    auto server = ch12_test::start_server();
    const auto port = std::to_string(server->port());
    mini_redis::testing::ServerProcess sub(example("sub"), {port}, std::chrono::seconds(10),
                                           "subscribed to numbers");
    CHECK(run_program({"redis-cli", "-p", port, "publish", "numbers", "1"}).output == "1\n");
    CHECK(run_program({"redis-cli", "-p", port, "publish", "numbers", "two words"}).output ==
          "1\n");
    // Each message is printed as it arrives (flushed): waits for the second, in whatever form.
    sub.wait_for_output("two words", std::chrono::seconds(5));
    CHECK_THAT(sub.output(), Catch::Contains("got message on numbers: \"1\"\n"
                                             "got message on numbers: \"two words\"\n"));
    // A graceful shutdown closes the subscription cleanly: next_message() returns nullopt.
    server->signal(SIGTERM);
    CHECK(server->wait() == 0);
    CHECK(sub.wait() == 0);
}
