// Chapter 04 through sockets: many clients on many threads against a server on a thread pool,
// all sharing one key space. Exercise 04.3 (the socket tests need 04.1 and 04.2 too).
#include "server.hpp"

#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <vector>

using mini_redis::tcp;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;

namespace {

std::string set_command(const std::string& key, const std::string& value)
{
    return "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$" +
           std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

std::string get_command(const std::string& key)
{
    return "*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

std::string bulk(const std::string& value)
{
    return "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

}  // namespace

TEST_CASE("a key one client stored is there for the next client, after the first has left",
          "[ch04][ex04.3]")
{
    TestServer server([](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); },
                      {.threads = 4});
    {
        TestClient writer(server.port());
        writer.send(set_command("left-behind", "still here"));
        REQUIRE(writer.read_reply() == "+OK\r\n");
    }  // the writer's connection closes here
    TestClient reader(server.port());
    reader.send(get_command("left-behind"));
    CHECK(reader.read_reply() == bulk("still here"));
    // And a second client at the same time as the first sees the same key space.
    TestClient other(server.port());
    reader.send(set_command("both", "from reader"));
    REQUIRE(reader.read_reply() == "+OK\r\n");
    other.send(get_command("both"));
    CHECK(other.read_reply() == bulk("from reader"));
}

TEST_CASE("sixteen clients on sixteen threads read back every key they wrote", "[ch04][ex04.3]")
{
    TestServer server([](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); },
                      {.threads = 4});
    constexpr int clients = 16;
    constexpr int keys_each = 300;

    // Each client runs on its own thread and reports what went wrong as text; Catch2's
    // assertions are only safe on the test's own thread, so they come after.
    std::vector<std::future<std::string>> results;
    for (int c = 0; c < clients; ++c) {
        results.push_back(std::async(std::launch::async, [port = server.port(), c] {
            TestClient client(port);
            for (int i = 0; i < keys_each; ++i) {
                const auto key = "c" + std::to_string(c) + ":" + std::to_string(i);
                client.send(set_command(key, std::to_string(i)) + set_command("everyone", key));
                if (client.read_reply() != "+OK\r\n" || client.read_reply() != "+OK\r\n") {
                    return "SET failed for " + key;
                }
            }
            for (int i = 0; i < keys_each; ++i) {
                const auto key = "c" + std::to_string(c) + ":" + std::to_string(i);
                client.send(get_command(key));
                if (const auto reply = client.read_reply(); reply != bulk(std::to_string(i))) {
                    return "GET " + key + " gave " + reply;
                }
            }
            return std::string();
        }));
    }
    for (auto& result : results) {
        CHECK(result.get() == "");
    }

    // Last write wins: "everyone" holds the final key of one of the clients.
    TestClient checker(server.port());
    checker.send(get_command("everyone"));
    const auto last = checker.read_reply();
    bool from_a_last_write = false;
    for (int c = 0; c < clients; ++c) {
        from_a_last_write |=
            last == bulk("c" + std::to_string(c) + ":" + std::to_string(keys_each - 1));
    }
    CHECK(from_a_last_write);
}

TEST_CASE("pipelined clients on a thread pool get their replies in order", "[ch04][ex04.3]")
{
    TestServer server([](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); },
                      {.threads = 4});
    std::vector<std::future<std::string>> results;
    for (int c = 0; c < 8; ++c) {
        results.push_back(std::async(std::launch::async, [port = server.port(), c] {
            TestClient client(port);
            std::string requests;
            std::string expected;
            for (int i = 0; i < 1000; ++i) {
                const auto key = "p" + std::to_string(c) + ":" + std::to_string(i);
                requests += set_command(key, key) + get_command(key);
                expected += "+OK\r\n" + bulk(key);
            }
            return client.round_trip(requests, expected.size()) == expected
                       ? std::string()
                       : "client " + std::to_string(c);
        }));
    }
    for (auto& result : results) {
        CHECK(result.get() == "");
    }
}
