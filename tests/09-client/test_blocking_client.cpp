// Chapter 09: the blocking client, plain calls from the test's thread, no coroutines in sight.
#include "client_test.hpp"

#include "client/blocking_client.hpp"

#include "mini_redis/testing/free_port.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using mini_redis::client::BlockingClient;
using mini_redis::client::Message;

TEST_CASE("the blocking client pings, sets and gets with plain calls", "[ch09][ex09.3]")
{
    ch09_test::against_both_servers([](unsigned short port) {
        auto client = BlockingClient::connect("127.0.0.1", port);
        CHECK(client.ping() == "PONG");
        CHECK(client.ping("hi") == "hi");
        CHECK(client.get("hello") == std::nullopt);
        client.set("hello", "world");
        CHECK(client.get("hello") == "world");
        client.set_expires("brief", "value", std::chrono::minutes(1));
        CHECK(client.get("brief") == "value");
        CHECK_THROWS_AS(client.set_expires("brief", "value", std::chrono::milliseconds(-5)),
                        mini_redis::client::ServerError);
    });
}

TEST_CASE("the blocking subscriber receives messages and unsubscribes", "[ch09][ex09.3]")
{
    ch09_test::against_both_servers([](unsigned short port) {
        auto subscriber = BlockingClient::connect("127.0.0.1", port).subscribe({"news"});
        auto publisher = BlockingClient::connect("localhost", port);
        CHECK(publisher.publish("news", "extra!") == 1);
        CHECK(subscriber.next_message() == Message{"news", "extra!"});
        subscriber.subscribe({"sport"});
        CHECK(subscriber.channels() == std::vector<std::string>{"news", "sport"});
        subscriber.unsubscribe({"news"});
        CHECK(publisher.publish("news", "ignored") == 0);
        CHECK(publisher.publish("sport", "goal") == 1);
        CHECK(subscriber.next_message() == Message{"sport", "goal"});
    });
}

TEST_CASE("the blocking client reports a refused connection as a system_error", "[ch09][ex09.3]")
{
    const auto port = mini_redis::testing::free_port();  // nobody listens there
    CHECK_THROWS_AS(BlockingClient::connect("127.0.0.1", port), boost::system::system_error);
}

TEST_CASE("the blocking client's timeout bounds each call on a server that never answers",
          "[ch09][ex09.18]")
{
    ch09_test::SilentServer server;
    auto client = BlockingClient::connect("127.0.0.1", server.port());
    client.set_timeout(std::chrono::milliseconds(100));
    // Only the type is checked here (the message is, in test_cli.cpp): the exception object is
    // shared with the runtime's thread, whose release of it ThreadSanitizer cannot see as
    // ordered (libstdc++'s exception_ptr count is not instrumented).
    CHECK_THROWS_AS(client.ping(), boost::system::system_error);
}
