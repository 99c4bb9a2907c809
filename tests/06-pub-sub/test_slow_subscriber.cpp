// Chapter 06: a subscriber that stops reading. Publishers must stay fast, the server's memory
// bounded, and the policy (disconnect, as Redis does) applied: the outbox's limit (06.7) over
// sockets, with the session that sets it (06.6) and the wake-ups that end the connection (06.8).
#include "pubsub.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/tcp_table.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ch06_test;
using mini_redis::Db;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;

namespace {

/// A SUBSCRIBE to so many channels that their confirmations add up to twice what the kernel's
/// buffers hold (the sender's grows to tcp_wmem's maximum at most; the receiver's is kept
/// small): each name is `padding` bytes of 'x' and a five-digit number.
struct ManyChannels {
    explicit ManyChannels(std::size_t padding_bytes) : padding(padding_bytes, 'x')
    {
        const std::size_t max = mini_redis::testing::largest_send_buffer();
        REQUIRE(max > 0);
        const auto one = confirmation("subscribe", padding + "00000", 99999).size();
        count = 2 * (max + 1024 * 1024) / one;
        REQUIRE(count < 100'000);
    }
    /// The name of channel `i`.
    std::string name(std::size_t i) const
    {
        const std::string digits = std::to_string(i);
        return padding + std::string(5 - digits.size(), '0') + digits;
    }
    /// The request, every channel in one SUBSCRIBE.
    std::string subscribe() const
    {
        std::string request = "*" + std::to_string(count + 1) + "\r\n" + bulk("SUBSCRIBE");
        for (std::size_t i = 0; i < count; ++i) {
            request += bulk(name(i));
        }
        return request;
    }

    std::string padding;
    std::size_t count = 0;
};

}  // namespace

TEST_CASE("a subscriber that stops reading is disconnected once it is too far behind",
          "[ch06][ex06.8]")
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

TEST_CASE("a session's outbox holds to the message limit the server was given", "[ch06][ex06.6]")
{
    // The session makes its outbox with ServerOptions' message_limit (the outbox's check is
    // 06.7's). With a limit of 64 KiB, a subscriber that reads nothing is dropped once the
    // kernel's buffers (the server's send buffer grows to tcp_wmem's maximum at most; the
    // sleeper's receive buffer is kept small) and 64 KiB are full: long before Redis's default
    // of 32 MiB. Every PUBLISH waits for its reply, so the count is exact whatever the speed.
    const std::size_t max = mini_redis::testing::largest_send_buffer();
    REQUIRE(max > 0);
    Db db;
    constexpr std::size_t limit = 64 * 1024;
    auto server = pubsub_server(db, {.message_limit = limit});
    TestClient sleeper(server.port());
    sleeper.limit_receive_buffer(4096);
    sleeper.send(command({"SUBSCRIBE", "firehose"}));
    REQUIRE(sleeper.read_reply() == confirmation("subscribe", "firehose", 1));

    TestClient publisher(server.port());
    const std::string payload(4096, 'p');
    const std::size_t at_most = (max + 1024 * 1024 + limit) / payload.size();
    std::size_t published = 0;
    bool received = true;
    while (received && published < 2 * at_most) {
        publisher.send(command({"PUBLISH", "firehose", payload}));
        received = publisher.read_reply() == ":1\r\n";
        ++published;
    }
    INFO("published " << published << " messages of 4 KiB; at most " << at_most << " fit");
    CHECK_FALSE(received);
    CHECK(published <= at_most);
}

TEST_CASE("a client that sends many requests without reading is paused, not buffered without end",
          "[ch06][ex06.3]")
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

TEST_CASE("a client that reads none of its replies is not served past the backlog",
          "[ch06][ex06.3]")
{
    // Requests are executed in order. A client asks for more replies than the kernel's buffers
    // and the reply backlog hold together (three times over), then sends `SET last yes`, and
    // reads only the first reply. A reader that waits for room after each request cannot have
    // reached the SET by then, however fast or slow the machine; one that does not wait executes
    // all it has read in one go, before the writer writes the first byte. (All the requests fit
    // in one read.)
    const std::size_t max = mini_redis::testing::largest_send_buffer();
    REQUIRE(max > 0);
    const std::string value(1024 * 1024, 'v');
    const std::size_t gets = 3 * (max + 1024 * 1024) / value.size() + 1;
    REQUIRE(gets < 200);

    Db db;
    auto server = pubsub_server(db);
    TestClient client(server.port());
    client.limit_receive_buffer(64 * 1024);
    client.send(command({"SET", "big", value}));
    REQUIRE(client.read_reply() == "+OK\r\n");
    std::string requests;
    for (std::size_t i = 0; i < gets; ++i) {
        requests += command({"GET", "big"});
    }
    requests += command({"SET", "last", "yes"});
    client.send(requests);
    const std::string one_reply = bulk(value);
    REQUIRE(client.read_exact(one_reply.size()) == one_reply);

    TestClient other(server.port());
    other.send(command({"GET", "last"}));
    CHECK(other.read_reply() == "$-1\r\n");

    // Reading on lets the rest through, in order.
    std::size_t wrong = 0;
    for (std::size_t i = 1; i < gets; ++i) {
        wrong += client.read_exact(one_reply.size()) != one_reply;
    }
    CHECK(wrong == 0);
    CHECK(client.read_reply() == "+OK\r\n");
    other.send(command({"GET", "last"}));
    CHECK(other.read_reply() == "$3\r\nyes\r\n");
}

TEST_CASE("a client that resets its connection with replies queued leaves, and its channels go",
          "[ch06][ex06.9]")
{
    // A client subscribes to more channels than the kernel's buffers can hold the confirmations
    // of, reads none, and resets the connection. The reader is paused until the writer makes
    // room; the writer's write fails. Unless the writer closes the outbox, the reader waits for
    // ever, and the session, with its channels, never ends. (Twice the buffers: whatever was
    // handled before the reset, more than the reply backlog is left to queue after it.)
    const ManyChannels many(512);

    Db db;
    auto server = pubsub_server(db);
    TestClient subscriber(server.port());
    subscriber.limit_receive_buffer(64 * 1024);
    subscriber.send(many.subscribe());
    REQUIRE(subscriber.read_reply() == confirmation("subscribe", many.name(0), 1));
    subscriber.abort();

    CHECK(eventually([&] { return db.channel_count() == 0; }));
    TestClient publisher(server.port());
    publisher.send(command({"PUBLISH", many.name(0), "anyone?"}));
    CHECK(publisher.read_reply() == ":0\r\n");
}

TEST_CASE("a long (UN)SUBSCRIBE whose confirmations are not read waits half-way; others are served",
          "[ch06][ex06.13]")
{
    // A request naming thousands of channels goes in turns. Between two, the server waits
    // until the client has read most of the confirmations: one that does not read cannot make
    // it store them all, and the thread serves the others meanwhile. The confirmations here
    // (about 300 bytes each) are twice what the kernel's buffers can hold (the sender's grows
    // to tcp_wmem's maximum at most; the receiver's is kept small), so the server cannot have
    // handled every channel while the subscriber reads nothing.
    const ManyChannels many(256);
    const std::size_t channels = many.count;

    Db db;
    auto server = pubsub_server(db);
    TestClient subscriber(server.port());
    subscriber.limit_receive_buffer(64 * 1024);
    subscriber.send(many.subscribe());
    // The first confirmation says the request is being handled.
    REQUIRE(subscriber.read_reply() == confirmation("subscribe", many.name(0), 1));

    TestClient other(server.port());
    other.send(command({"PING"}));
    CHECK(other.read_reply() == "+PONG\r\n");
    CHECK(db.channel_count() < channels);

    // Reading on lets the request finish, every confirmation in order.
    std::size_t wrong = 0;  // one check at the end: tens of thousands of assertions cost seconds
    for (std::size_t i = 1; i < channels; ++i) {
        wrong += subscriber.read_reply() !=
                 confirmation("subscribe", many.name(i), static_cast<int>(i + 1));
    }
    CHECK(wrong == 0);
    CHECK(eventually([&] { return db.channel_count() == channels; }));

    // Leaving them all goes in turns too.
    subscriber.send(command({"UNSUBSCRIBE"}));
    const std::string first = subscriber.read_reply();
    REQUIRE(first.starts_with("*3\r\n$11\r\nunsubscribe\r\n"));
    REQUIRE(first.ends_with(":" + std::to_string(channels - 1) + "\r\n"));
    other.send(command({"PING"}));
    CHECK(other.read_reply() == "+PONG\r\n");
    CHECK(db.channel_count() > 0);
    for (std::size_t remaining = channels - 1; remaining-- > 0;) {
        wrong += !subscriber.read_reply().ends_with(":" + std::to_string(remaining) + "\r\n");
    }
    CHECK(wrong == 0);
    CHECK(eventually([&] { return db.channel_count() == 0; }));
}
