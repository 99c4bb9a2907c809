// Chapter 09: the buffered client, one connection shared by many coroutines.
#include "client_test.hpp"

#include "client/buffered_client.hpp"

#include "mini_redis/testing/block_on.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using mini_redis::client::BufferedClient;
using mini_redis::client::Client;
using mini_redis::testing::block_on;
namespace asio = boost::asio;

namespace {

/// How many coroutines share one buffered client in the test below.
constexpr int count = 50;

/// A buffered client on a new connection to 127.0.0.1:`port`, run by the caller's executor.
asio::awaitable<BufferedClient> connect_buffered(unsigned short port)
{
    auto client = co_await Client::connect("127.0.0.1", port);
    co_return BufferedClient(co_await asio::this_coro::executor, std::move(client));
}

/// One of many coroutines sharing `client`: sets its own key, reads it back, and reports
/// whether it got its own value (not another coroutine's reply) on `results`.
asio::awaitable<void> set_and_get(
    BufferedClient client, int id,
    std::shared_ptr<asio::experimental::concurrent_channel<void(boost::system::error_code, bool)>>
        results)
{
    const auto key = "key-" + std::to_string(id);
    const auto value = "value-" + std::to_string(id);
    bool ok = false;
    try {
        co_await client.set(key, value);
        ok = co_await client.get(key) == value;
    } catch (...) {
    }
    co_await results->async_send({}, ok, asio::use_awaitable);
}

}  // namespace

TEST_CASE("mini-redis's pool_key_value_get_set: set and get through the buffered client",
          "[ch09][ex09.4]")
{
    ch09_test::against_both_servers([](unsigned short port) {
        auto value =
            block_on([](unsigned short port) -> asio::awaitable<std::optional<std::string>> {
                auto client = co_await connect_buffered(port);
                co_await client.set("hello", "world");
                co_return co_await client.get("hello");
            }(port));
        CHECK(value == "world");
    });
}

TEST_CASE("fifty coroutines share one buffered connection, each gets its own replies",
          "[ch09][ex09.10]")
{
    auto server = ch09_test::start_server();
    auto ok = block_on([](unsigned short port) -> asio::awaitable<int> {
        auto client = co_await connect_buffered(port);
        auto executor = co_await asio::this_coro::executor;
        auto results = std::make_shared<
            asio::experimental::concurrent_channel<void(boost::system::error_code, bool)>>(executor,
                                                                                           count);
        for (int id = 0; id < count; ++id) {
            asio::co_spawn(executor, set_and_get(client, id, results), asio::detached);
        }
        int ok = 0;
        for (int i = 0; i < count; ++i) {
            ok += (co_await results->async_receive(asio::use_awaitable)) ? 1 : 0;
        }
        co_return ok;
    }(server->port()));
    CHECK(ok == count);
}

TEST_CASE("after the connection is lost, every request fails instead of waiting", "[ch09][ex09.4]")
{
    mini_redis::Shutdown shutdown;
    mini_redis::testing::TestServer server([shutdown](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), {}, shutdown);
    });
    auto failures =
        block_on([](unsigned short port, mini_redis::Shutdown shutdown) -> asio::awaitable<int> {
            auto client = co_await connect_buffered(port);
            co_await client.set("k", "v");
            shutdown.request();  // the server closes our connection
            int failures = 0;
            for (int i = 0; i < 3; ++i) {
                try {
                    co_await client.get("k");
                } catch (const boost::system::system_error&) {
                    ++failures;
                }
            }
            co_return failures;
        }(server.port(), shutdown));
    CHECK(failures == 3);
}

TEST_CASE("an error reply fails its own request only; the next caller gets its reply",
          "[ch09][ex09.4]")
{
    // Both replies in one write: the second belongs to the second GET.
    ch09_test::ScriptedServer server("-ERR boom\r\n$1\r\nv\r\n");
    auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await connect_buffered(port);
        std::string outcome;
        try {
            co_await client.get("k");
            outcome += "answered; ";
        } catch (const mini_redis::client::ServerError& e) {
            outcome += std::string(e.what()) + "; ";
        }
        outcome += (co_await client.get("k")).value_or("(nil)");
        co_return outcome;
    }(server.port()));
    CHECK(outcome == "ERR boom; v");
}

TEST_CASE("the request in flight when the connection drops fails instead of waiting",
          "[ch09][ex09.4]")
{
    ch09_test::ScriptedServer server("");  // reads the first command, then hangs up
    auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await connect_buffered(port);
        try {
            co_await client.get("k");
        } catch (const boost::system::system_error&) {
            co_return "system_error";
        }
        co_return "answered";
    }(server.port()));
    CHECK(outcome == "system_error");
}

TEST_CASE("through the buffered client, an error reply is thrown as a ServerError",
          "[ch09][ex09.10]")
{
    ch09_test::ScriptedServer server("-ERR boom\r\n");
    auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await connect_buffered(port);
        try {
            auto value = co_await client.get("k");
            co_return "returned " + value.value_or("(nil)");
        } catch (const mini_redis::client::ServerError& e) {
            co_return e.what();
        }
    }(server.port()));
    CHECK(outcome == "ERR boom");
}
