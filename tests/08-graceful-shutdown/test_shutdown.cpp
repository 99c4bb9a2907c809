// Chapter 08: a graceful shutdown of the in-process server, triggered by the test through the
// Shutdown API. Exercises 08.1 (sessions) and 08.2 (the drain).
#include "db.hpp"
#include "server.hpp"
#include "shutdown.hpp"

#include "stubborn.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/error.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

using mini_redis::Shutdown;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
using namespace std::chrono_literals;

namespace {

TestServer server_until(Shutdown shutdown, mini_redis::ServerOptions options = {})
{
    return TestServer([shutdown, options](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::Db(), options, shutdown);
    });
}

}  // namespace

TEST_CASE("on shutdown, a pipelining client gets every reply it is due, whole, then a clean close",
          "[ch08][ex08.1]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown);
    TestClient client(server.port());
    std::string requests;
    for (int i = 0; i < 20000; ++i) {
        requests += "SET k" + std::to_string(i) + " v\r\n";
    }
    client.send(requests);
    REQUIRE(client.read_reply() == "+OK\r\n");  // the server is working through them

    shutdown.request();
    const std::string rest = client.read_until_closed();
    // Every request the server had read got its reply, and no reply was cut in half.
    CHECK(rest.size() % 5 == 0);
    for (std::size_t at = 0; at < rest.size(); at += 5) {
        REQUIRE(rest.compare(at, 5, "+OK\r\n") == 0);
    }
    CHECK(server.wait_finished(5s));
}

TEST_CASE("on shutdown, idle clients and subscribers see a clean close", "[ch08][ex08.1]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown);
    TestClient idle(server.port());
    TestClient subscriber(server.port());
    subscriber.send("SUBSCRIBE news\r\n");
    REQUIRE(subscriber.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    idle.send("PING\r\n");
    REQUIRE(idle.read_reply() == "+PONG\r\n");

    shutdown.request();
    CHECK(idle.read_until_closed().empty());
    CHECK(subscriber.read_until_closed().empty());
    CHECK(server.wait_finished(5s));
}

TEST_CASE("once shut down, the server refuses new connections", "[ch08][ex08.2]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown);
    TestClient client(server.port());
    shutdown.request();
    CHECK(client.read_until_closed().empty());
    REQUIRE(server.wait_finished(5s));
    CHECK_THROWS_WITH(TestClient(server.port()), Catch::Contains("could not connect"));
}

TEST_CASE("a client that never reads cannot hold the shutdown past its grace period",
          "[ch08][ex08.2]")
{
    Shutdown shutdown;
    auto server = server_until(shutdown, {.shutdown_grace = 200ms});
    TestClient stubborn(server.port());
    ch08_test::make_stubborn(stubborn);

    shutdown.request();
    CHECK(server.wait_finished(5s));
}

TEST_CASE("the whole server, purge task included, finishes after a shutdown", "[ch08][ex08.2]")
{
    Shutdown shutdown;
    TestServer server([shutdown](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::ServerOptions{}, shutdown);
    });
    TestClient client(server.port());
    client.send("SET k v PX 100000\r\n");
    REQUIRE(client.read_reply() == "+OK\r\n");
    shutdown.request();
    CHECK(client.read_until_closed().empty());
    CHECK(server.wait_finished(5s));
}

TEST_CASE("a shutdown ends the wait after a failed accept at once", "[ch08]")
{
    // Every accept fails ("too many open files") and the loop backs off for an hour: the real
    // timer, no fake. A shutdown must not wait for it.
    Shutdown shutdown;
    auto failed = std::make_shared<std::atomic<bool>>(false);
    mini_redis::ServerOptions options;
    options.accept_fault = [failed]() -> boost::system::error_code {
        *failed = true;
        return boost::asio::error::no_descriptors;
    };
    options.accept_backoff_start = std::chrono::hours(1);
    auto server = server_until(shutdown, options);
    REQUIRE(eventually([&] { return failed->load(); }));  // the loop is in, or going into, its wait

    shutdown.request();
    CHECK(server.wait_finished(5s));
}
