// Chapter 03 with the real redis-cli: the commands a user types, and --pipe mass insertion.
// Exercise 03.7 (they need the whole server).
#include "fixture.hpp"

#include "mini_redis/testing/run_program.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch03_test::command_server;
using mini_redis::testing::run_program;
using mini_redis::testing::TestClient;

TEST_CASE("redis-cli can ping, set and get", "[ch03][ex03.7][redis-cli]")
{
    auto server = command_server();
    const auto port = std::to_string(server.port());
    const auto cli = [&](std::vector<std::string> words) {
        std::vector<std::string> argv{"redis-cli", "-p", port};
        argv.insert(argv.end(), words.begin(), words.end());
        auto result = run_program(argv);
        INFO(result.output);
        CHECK(result.status == 0);
        return result.output;
    };
    CHECK(cli({"ping"}) == "PONG\n");
    CHECK(cli({"set", "greeting", "hello world"}) == "OK\n");
    CHECK(cli({"get", "greeting"}) == "hello world\n");
    CHECK(cli({"get", "missing"}) == "\n");  // redis-cli prints nil as an empty line when piped
    CHECK(cli({"echo", "hi"}) == "hi\n");
}

TEST_CASE("redis-cli --pipe inserts 10,000 keys with no errors", "[ch03][ex03.7][redis-cli]")
{
    auto server = command_server();
    std::string commands;
    for (int i = 0; i < 10000; ++i) {
        const auto key = "mass:" + std::to_string(i);
        const auto value = std::to_string(i * 7);
        commands += "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$" +
                    std::to_string(value.size()) + "\r\n" + value + "\r\n";
    }
    auto result =
        run_program({"redis-cli", "-p", std::to_string(server.port()), "--pipe"}, commands);
    INFO(result.output);
    CHECK(result.status == 0);
    CHECK(result.output.find("errors: 0, replies: 10000") != std::string::npos);

    TestClient client(server.port());
    client.send("GET mass:0\r\nGET mass:9999\r\n");
    CHECK(client.read_reply() == "$1\r\n0\r\n");
    CHECK(client.read_reply() == "$5\r\n69993\r\n");
}
