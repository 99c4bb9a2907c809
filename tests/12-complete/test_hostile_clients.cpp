// Chapter 12: clients that try to stall or bloat the complete server, through real sockets, with
// its default options and one thread (the default on a 2-core machine).
//
// Where memory is the point, the test asks the allocator how much the process holds
// (heap_in_use): the server runs inside the test process, and RSS would not do, since the
// allocator keeps much of what is freed and a sanitizer shadows every byte. Nothing else in the
// process allocates while a test measures: each waits until the server has done its part. The
// fourth hostile client of this kind, a reader of the server's log that goes away, is chapter
// 01's test_broken_log_pipe.cpp, which runs against this server too. bench/hostile.py measures
// the same rows against the release build, beside redis-server. ThreadSanitizer skips the tests
// tagged [hostile] (tools/workbook/checks.py says why).
#include "db.hpp"
#include "server.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/tcp_table.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

using mini_redis::Db;
using mini_redis::testing::eventually;
using mini_redis::testing::heap_in_use;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;

namespace {

/// The complete server's accept loop serving `db`, with every option at its default.
TestServer complete_server(Db db)
{
    return TestServer([db](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), db);
    });
}

std::string bulk(const std::string& text)
{
    return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

/// The process's heap now, less `before`: what was allocated since, and not freed.
long long heap_since(std::size_t before)
{
    return static_cast<long long>(heap_in_use()) - static_cast<long long>(before);
}

/// True once every byte sent to the server on `port` has been read by it: nothing waits in
/// either end's queue of the one established connection to that port.
bool server_read_everything(unsigned short port)
{
    for (const auto& socket : mini_redis::testing::tcp_sockets()) {
        const bool ours = socket.local_port == port || socket.remote_port == port;
        if (socket.established && ours && (socket.send_queue > 0 || socket.receive_queue > 0)) {
            return false;
        }
    }
    return true;
}

}  // namespace

TEST_CASE("SUBSCRIBE to 100,000 channels, then leaving them all, leaves nothing behind",
          "[ch12][hostile]")
{
    // That others are served while such a request runs, and that it waits half-way for a
    // client that does not read, chapter 06's test_slow_subscriber.cpp shows on this server too.
    constexpr std::size_t channels = 100'000;
    std::string subscribe = "*" + std::to_string(channels + 1) + "\r\n" + bulk("SUBSCRIBE");
    for (std::size_t i = 0; i < channels; ++i) {
        subscribe += bulk("c" + std::to_string(i));
    }
    Db db;
    auto server = complete_server(db);
    TestClient other(server.port());
    other.send("PING\r\n");
    REQUIRE(other.read_reply() == "+PONG\r\n");
    const std::size_t before = heap_in_use();

    TestClient subscriber(server.port());
    subscriber.send(subscribe);
    other.send("PING\r\n");
    CHECK(other.read_reply() == "+PONG\r\n");
    std::size_t wrong = 0;  // one check at the end: 100,000 assertions would cost seconds
    for (std::size_t i = 0; i < channels; ++i) {
        wrong += subscriber.read_reply() != "*3\r\n" + bulk("subscribe") +
                                                bulk("c" + std::to_string(i)) + ":" +
                                                std::to_string(i + 1) + "\r\n";
    }
    CHECK(wrong == 0);
    CHECK(db.channel_count() == channels);

    subscriber.send("UNSUBSCRIBE\r\n");
    for (std::size_t remaining = channels; remaining-- > 0;) {
        wrong += !subscriber.read_reply().ends_with(":" + std::to_string(remaining) + "\r\n");
    }
    CHECK(wrong == 0);
    subscriber.send("PING\r\n");
    REQUIRE(subscriber.read_reply() == "+PONG\r\n");  // out of subscriber mode, still connected
    CHECK(db.channel_count() == 0);

    // The subscriber is still connected, and holds nothing of its 100,000 channels: neither
    // its own set nor the Db's table keeps the buckets they needed.
    const long long kept = heap_since(before);
    INFO("heap kept after leaving 100,000 channels: " << kept << " bytes");
    CHECK(kept < 512 * 1024);
}

TEST_CASE("an unfinished request of empty elements holds about the bytes received",
          "[ch12][hostile]")
{
    // A client declares an array of 100 million elements and sends 4 MiB of `$0\r\n\r\n`
    // without finishing it. Redis holds about 6.6 bytes per byte received; a parser that
    // builds each element as it arrives holds more (a Frame is 40 bytes, for 6 received).
    constexpr std::size_t sent = 4 << 20;
    std::string elements;
    for (std::size_t i = 0; i < sent / 6; ++i) {
        elements += "$0\r\n\r\n";
    }
    Db db;
    auto server = complete_server(db);
    TestClient client(server.port());
    const std::size_t before = heap_in_use();
    client.send("*100000000\r\n");
    client.send(elements);
    // Parsing 4 MiB of elements takes the server a second or more on a busy machine under a
    // sanitizer: the guard against a hang is a minute, not eventually()'s usual 5 s.
    REQUIRE(eventually([&] { return server_read_everything(server.port()); },
                       std::chrono::milliseconds(60000)));

    // What it holds: the bytes, in a read buffer that doubles as it fills (so up to twice them).
    const long long held = heap_since(before);
    INFO("heap held for " << elements.size() << " bytes received: " << held << " bytes");
    CHECK(held < static_cast<long long>(elements.size()) * 5 / 2);

    TestClient other(server.port());
    other.send("PING\r\n");
    CHECK(other.read_reply() == "+PONG\r\n");
}

TEST_CASE("16 clients read a large value and sit idle: the server keeps none of the replies",
          "[ch12][hostile]")
{
    const std::string value(4 << 20, 'v');
    const std::string reply = bulk(value);
    Db db;
    auto server = complete_server(db);
    TestClient setter(server.port());
    setter.send("*3\r\n" + bulk("SET") + bulk("big") + bulk(value));
    REQUIRE(setter.read_reply() == "+OK\r\n");
    const std::size_t before = heap_in_use();

    std::vector<std::unique_ptr<TestClient>> readers;
    for (int i = 0; i < 16; ++i) {
        readers.push_back(std::make_unique<TestClient>(server.port()));
        readers.back()->send("*2\r\n" + bulk("GET") + bulk("big"));
        REQUIRE(readers.back()->read_exact(reply.size()) == reply);
    }
    // Each connection wrote a 4 MiB batch; once written, an idle connection gives it back.
    const bool given_back = eventually([&] { return heap_since(before) < 1024 * 1024; });
    INFO("heap kept by 16 idle connections: " << heap_since(before) << " bytes");
    CHECK(given_back);
    for (auto& reader : readers) {
        reader->send("PING\r\n");
        CHECK(reader->read_reply() == "+PONG\r\n");
    }
}
