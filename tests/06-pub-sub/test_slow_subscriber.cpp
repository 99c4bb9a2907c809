// Chapter 06: a subscriber that stops reading. Publishers must stay fast, the server's memory
// bounded, and the policy (disconnect, as Redis does) applied. Exercise 06.2 over sockets.
#include "pubsub.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ch06_test;
using mini_redis::Db;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;

TEST_CASE("a subscriber that stops reading is disconnected once it is too far behind",
          "[ch06][ex06.2]")
{
    Db db;
    constexpr std::size_t limit = 256 * 1024;
    auto server = pubsub_server(db, {.message_limit = limit});

    TestClient sleeper(server.port());
    sleeper.limit_receive_buffer(64 * 1024);
    sleeper.send(command({"SUBSCRIBE", "firehose"}));
    REQUIRE(sleeper.read_reply() == confirmation("subscribe", "firehose", 1));
    // From here on the sleeper reads nothing. Its socket buffers fill, then its outbox.

    TestClient publisher(server.port());
    const std::string payload(4096, 'p');
    int published = 0;
    int received_by_sleeper = 1;
    // Publish until the server gives up on the sleeper (PUBLISH then counts 0 receivers). The
    // kernel's socket buffers take a few megabytes first (the server's send buffer grows to
    // 4 MiB at most on Debian; the sleeper's receive buffer is kept small); 10,000 messages
    // (40 MB) is far more than they and the limit can hold, so the loop must end by the policy,
    // not by the count.
    while (received_by_sleeper == 1 && published < 10000) {
        publisher.send(command({"PUBLISH", "firehose", payload}));
        received_by_sleeper = publisher.read_reply() == ":1\r\n" ? 1 : 0;
        ++published;
    }
    CHECK(received_by_sleeper == 0);
    INFO("published " << published << " messages of 4 KiB before the disconnect");

    // The sleeper finds its connection closed after the messages that were already sent, and
    // its channel is gone.
    CHECK(eventually([&] { return db.channel_count() == 0; }));
    std::string rest;
    CHECK_NOTHROW(rest = sleeper.read_until_closed());
    CHECK(rest.size() < static_cast<std::size_t>(published) * (payload.size() + 64));

    // Everyone else is served as before.
    publisher.send(command({"PING"}));
    CHECK(publisher.read_reply() == "+PONG\r\n");
}

TEST_CASE("a client that sends many requests without reading is paused, not buffered without end",
          "[ch06][ex06.4]")
{
    Db db;
    auto server = pubsub_server(db);
    TestClient client(server.port());
    // 16 MiB of GET replies (each value is 64 KiB) requested in one go, read as they come: the
    // server stops reading requests while its backlog of replies is large, so this works
    // without the server ever holding all 16 MiB of replies at once.
    client.send(command({"SET", "big", std::string(64 * 1024, 'v')}));
    REQUIRE(client.read_reply() == "+OK\r\n");
    std::string requests;
    for (int i = 0; i < 256; ++i) {
        requests += command({"GET", "big"});
    }
    const std::string one_reply = bulk(std::string(64 * 1024, 'v'));
    std::string expected;
    for (int i = 0; i < 256; ++i) {
        expected += one_reply;
    }
    CHECK(client.round_trip(requests, expected.size()) == expected);
}
