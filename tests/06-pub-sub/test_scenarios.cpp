// Chapter 06 through sockets: mini-redis's pub/sub scenarios and more subscribers, channels and
// messages. These need every exercise of the chapter; tagged with the writer (06.9), through which
// every reply goes.
#include "pubsub.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace ch06_test;
using mini_redis::Db;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;

namespace {

/// mini-redis's pub_sub scenario against the server on `port`: publish counts receivers, and
/// messages reach the right subscribers.
void pub_sub_scenario(unsigned short port)
{
    TestClient publisher(port);

    publisher.send(command({"PUBLISH", "hello", "world"}));
    CHECK(publisher.read_reply() == ":0\r\n");

    TestClient first(port);
    first.send(command({"SUBSCRIBE", "hello"}));
    CHECK(first.read_reply() == confirmation("subscribe", "hello", 1));

    publisher.send(command({"PUBLISH", "hello", "world"}));
    CHECK(publisher.read_reply() == ":1\r\n");
    CHECK(first.read_reply() == message("hello", "world"));

    TestClient second(port);
    second.send(command({"SUBSCRIBE", "hello", "foo"}));
    CHECK(second.read_reply() == confirmation("subscribe", "hello", 1));
    CHECK(second.read_reply() == confirmation("subscribe", "foo", 2));

    publisher.send(command({"PUBLISH", "hello", "jazzy"}));
    CHECK(publisher.read_reply() == ":2\r\n");
    publisher.send(command({"PUBLISH", "foo", "bar"}));
    CHECK(publisher.read_reply() == ":1\r\n");

    CHECK(first.read_reply() == message("hello", "jazzy"));
    CHECK(second.read_reply() == message("hello", "jazzy"));
    CHECK(second.read_reply() == message("foo", "bar"));
}

/// mini-redis's manage_subscription scenario against the server on `port`: subscribe to more
/// channels, unsubscribe from some, then from all.
void manage_subscription_scenario(unsigned short port)
{
    TestClient subscriber(port);
    TestClient publisher(port);

    subscriber.send(command({"SUBSCRIBE", "hello"}));
    CHECK(subscriber.read_reply() == confirmation("subscribe", "hello", 1));
    subscriber.send(command({"SUBSCRIBE", "foo"}));
    CHECK(subscriber.read_reply() == confirmation("subscribe", "foo", 2));
    subscriber.send(command({"UNSUBSCRIBE", "hello"}));
    CHECK(subscriber.read_reply() == confirmation("unsubscribe", "hello", 1));

    publisher.send(command({"PUBLISH", "hello", "world"}));
    CHECK(publisher.read_reply() == ":0\r\n");
    publisher.send(command({"PUBLISH", "foo", "bar"}));
    CHECK(publisher.read_reply() == ":1\r\n");
    CHECK(subscriber.read_reply() == message("foo", "bar"));  // and not "world" before it

    subscriber.send(command({"UNSUBSCRIBE"}));
    CHECK(subscriber.read_reply() == confirmation("unsubscribe", "foo", 0));
}

}  // namespace

TEST_CASE("mini-redis's pub_sub: publish counts receivers, and messages reach the right ones",
          "[ch06][ex06.9]")
{
    Db db;
    auto server = pubsub_server(db);
    pub_sub_scenario(server.port());
}

TEST_CASE("mini-redis's manage_subscription: subscribe more, unsubscribe some, then all",
          "[ch06][ex06.6]")
{
    Db db;
    auto server = pubsub_server(db);
    manage_subscription_scenario(server.port());
    CHECK(eventually([&] { return db.channel_count() == 0; }));  // empty channels are removed
}

TEST_CASE("redis-server goes through both mini-redis scenarios with the same bytes",
          "[ch06][redis]")
{
    mini_redis::testing::RealRedis redis;
    pub_sub_scenario(redis.port());
    manage_subscription_scenario(redis.port());
}

TEST_CASE("one client subscribes to 50,000 channels and leaves them all, and others are served",
          "[ch06][ex06.13]")
{
    // Each channel costs the same whatever the client already has. Looking each one up in a
    // list of the client's channels would make this request quadratic: over a billion string
    // comparisons, seconds of a thread that serves everyone (here the only one), and the
    // subscriber's wait for its first confirmation would outlast the harness's hang guard.
    constexpr int channels = 50'000;
    Db db;
    auto server = pubsub_server(db);
    TestClient subscriber(server.port());
    std::string subscribe = "*" + std::to_string(channels + 1) + "\r\n" + bulk("SUBSCRIBE");
    for (int i = 0; i < channels; ++i) {
        subscribe += bulk("c" + std::to_string(i));
    }
    subscriber.send(subscribe);
    for (int i = 0; i < channels; ++i) {
        REQUIRE(subscriber.read_reply() ==
                confirmation("subscribe", "c" + std::to_string(i), i + 1));
    }
    TestClient other(server.port());
    other.send(command({"PING"}));
    CHECK(other.read_reply() == "+PONG\r\n");

    // Leaving all of them: Redis names them in its hash table's order, so only the counts and
    // the set of names are fixed.
    subscriber.send(command({"UNSUBSCRIBE"}));
    std::vector<bool> left(channels, false);
    for (int remaining = channels - 1; remaining >= 0; --remaining) {
        const auto reply = subscriber.read_reply();
        const auto name = reply.find("\r\nc");  // the channel's name: c and its number
        REQUIRE(name != std::string::npos);
        const int channel = std::stoi(reply.substr(name + 3));
        REQUIRE((channel >= 0 && channel < channels));
        REQUIRE(reply == confirmation("unsubscribe", "c" + std::to_string(channel), remaining));
        REQUIRE_FALSE(left[static_cast<std::size_t>(channel)]);
        left[static_cast<std::size_t>(channel)] = true;
    }
    CHECK(eventually([&] { return db.channel_count() == 0; }));
}

TEST_CASE("twenty subscribers on one channel all get every message, in order", "[ch06][ex06.9]")
{
    Db db;
    auto server = pubsub_server(db);
    std::vector<std::unique_ptr<TestClient>> subscribers;
    for (int i = 0; i < 20; ++i) {
        subscribers.push_back(std::make_unique<TestClient>(server.port()));
        subscribers.back()->send(command({"SUBSCRIBE", "news"}));
        REQUIRE(subscribers.back()->read_reply() == confirmation("subscribe", "news", 1));
    }
    TestClient publisher(server.port());
    std::string publishes;
    for (int m = 0; m < 200; ++m) {
        publishes += command({"PUBLISH", "news", "item " + std::to_string(m)});
    }
    publisher.send(publishes);
    for (int m = 0; m < 200; ++m) {
        REQUIRE(publisher.read_reply() == ":20\r\n");
    }
    for (auto& subscriber : subscribers) {
        for (int m = 0; m < 200; ++m) {
            REQUIRE(subscriber->read_reply() == message("news", "item " + std::to_string(m)));
        }
    }
}

TEST_CASE("one subscriber on fifty channels gets each channel's messages", "[ch06][ex06.9]")
{
    Db db;
    auto server = pubsub_server(db);
    TestClient subscriber(server.port());
    for (int c = 0; c < 50; ++c) {
        subscriber.send(command({"SUBSCRIBE", "ch" + std::to_string(c)}));
        REQUIRE(subscriber.read_reply() ==
                confirmation("subscribe", "ch" + std::to_string(c), c + 1));
    }
    TestClient publisher(server.port());
    for (int c = 49; c >= 0; --c) {
        publisher.send(command({"PUBLISH", "ch" + std::to_string(c), "to " + std::to_string(c)}));
        REQUIRE(publisher.read_reply() == ":1\r\n");
    }
    for (int c = 49; c >= 0; --c) {
        REQUIRE(subscriber.read_reply() ==
                message("ch" + std::to_string(c), "to " + std::to_string(c)));
    }
}

TEST_CASE("a subscriber that vanishes leaves its channels", "[ch06][ex06.9]")
{
    Db db;
    auto server = pubsub_server(db);
    {
        TestClient subscriber(server.port());
        subscriber.send(command({"SUBSCRIBE", "a", "b"}));
        subscriber.read_reply();
        subscriber.read_reply();
        subscriber.abort();
    }
    CHECK(eventually([&] { return db.channel_count() == 0; }));
    TestClient publisher(server.port());
    publisher.send(command({"PUBLISH", "a", "anyone?"}));
    CHECK(publisher.read_reply() == ":0\r\n");
}
