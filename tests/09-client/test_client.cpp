// Chapter 09: the async Client and Subscriber, through real sockets, against this chapter's
// server and against a real redis-server. The first six tests are mini-redis's client tests.
#include "client_test.hpp"

#include "client/client.hpp"
#include "client/subscriber.hpp"

#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/eventually.hpp"

#include "mini_redis/testing/free_port.hpp"
#include "mini_redis/testing/tcp_table.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using ch09_test::against_both_servers;
using mini_redis::client::Client;
using mini_redis::client::Message;
using mini_redis::client::ServerError;
using mini_redis::testing::block_on;
namespace asio = boost::asio;

namespace {

/// The client calls a test makes, as a coroutine: connects to 127.0.0.1:`port` first.
asio::awaitable<Client> connect(unsigned short port)
{
    return Client::connect("127.0.0.1", port);
}

asio::awaitable<mini_redis::client::Subscriber> subscribe_to(unsigned short port,
                                                             std::vector<std::string> names)
{
    auto client = co_await connect(port);
    co_return co_await mini_redis::client::subscribe(std::move(client), std::move(names));
}

/// A list of channel names. Tests pass lists to coroutines through this function rather than
/// as a braced list: GCC 12 cannot compile a braced list inside a co_await expression.
template <typename... Names>
std::vector<std::string> list(Names... names)
{
    return {names...};
}

/// A new connection to 127.0.0.1:`port`, subscribed to `names`.
template <typename... Names>
asio::awaitable<mini_redis::client::Subscriber> subscribe(unsigned short port, Names... names)
{
    return subscribe_to(port, list(names...));
}

}  // namespace

TEST_CASE("mini-redis's ping_pong_without_message: PING gets PONG", "[ch09][ex09.1]")
{
    against_both_servers([](unsigned short port) {
        auto reply = block_on([](unsigned short port) -> asio::awaitable<std::string> {
            auto client = co_await connect(port);
            co_return co_await client.ping();
        }(port));
        CHECK(reply == "PONG");
    });
}

TEST_CASE("mini-redis's ping_pong_with_message: the message comes back, UTF-8 included",
          "[ch09][ex09.16]")
{
    against_both_servers([](unsigned short port) {
        auto replies =
            block_on([](unsigned short port) -> asio::awaitable<std::vector<std::string>> {
                auto client = co_await connect(port);
                std::vector<std::string> replies;
                replies.push_back(co_await client.ping("hello world"));
                replies.push_back(co_await client.ping("你好世界"));
                co_return replies;
            }(port));
        CHECK(replies == std::vector<std::string>{"hello world", "你好世界"});
    });
}

TEST_CASE("mini-redis's key_value_get_set: set then get (a missing key gives nullopt)",
          "[ch09][ex09.17]")
{
    against_both_servers([](unsigned short port) {
        auto values = block_on(
            [](unsigned short port) -> asio::awaitable<std::vector<std::optional<std::string>>> {
                auto client = co_await connect(port);
                std::vector<std::optional<std::string>> values;
                values.push_back(co_await client.get("hello"));
                co_await client.set("hello", "world");
                values.push_back(co_await client.get("hello"));
                // Binary-safe: a value with a newline, a NUL and no text at all.
                co_await client.set("binary", std::string("a\r\nb\0c", 6));
                values.push_back(co_await client.get("binary"));
                co_await client.set("empty", "");
                values.push_back(co_await client.get("empty"));
                co_return values;
            }(port));
        REQUIRE(values.size() == 4);
        CHECK(values[0] == std::nullopt);
        CHECK(values[1] == "world");
        CHECK(values[2] == std::string("a\r\nb\0c", 6));
        CHECK(values[3] == "");
    });
}

TEST_CASE("set_expires sends PX: the key is there at once and a zero expiry is a ServerError",
          "[ch09][ex09.1]")
{
    against_both_servers([](unsigned short port) {
        auto [value, error] =
            block_on([](unsigned short port)
                         -> asio::awaitable<std::pair<std::optional<std::string>, std::string>> {
                auto client = co_await connect(port);
                co_await client.set_expires("session", "token", std::chrono::minutes(1));
                auto value = co_await client.get("session");
                std::string error;
                try {
                    co_await client.set_expires("session", "token", std::chrono::milliseconds(0));
                } catch (const ServerError& e) {
                    error = e.what();
                }
                co_return std::pair{value, error};
            }(port));
        CHECK(value == "token");
        CHECK(error == "ERR invalid expire time in 'set' command");
    });
}

TEST_CASE("an error reply is a ServerError, and the client goes on working", "[ch09][ex09.1]")
{
    against_both_servers([](unsigned short port) {
        auto [error, after] = block_on(
            [](unsigned short port) -> asio::awaitable<std::pair<std::string, std::string>> {
                auto client = co_await connect(port);
                std::string error;
                try {
                    std::vector<std::string> command{"FOO", "bar"};  // see Client::get
                    co_await client.request(std::move(command));
                } catch (const ServerError& e) {
                    error = e.what();
                }
                co_return std::pair{error, co_await client.ping()};
            }(port));
        CHECK(error == "ERR unknown command 'FOO', with args beginning with: 'bar' ");
        CHECK(after == "PONG");
    });
}

TEST_CASE("a connection the server closed is an I/O error, not a ServerError", "[ch09][ex09.1]")
{
    against_both_servers([](unsigned short port) {
        auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
            auto client = co_await connect(port);
            std::vector<std::string> quit{"QUIT"};
            co_await client.request(std::move(quit));  // +OK, then the server closes
            try {
                co_await client.ping();
            } catch (const ServerError&) {
                co_return "ServerError";
            } catch (const boost::system::system_error& e) {
                co_return "system_error: " + e.code().message();
            }
            co_return "no error";
        }(port));
        // The server's close arrives as end of stream, or as a reset if our PING reached the
        // closed socket first.
        CHECK_THAT(outcome, Catch::StartsWith("system_error: "));
    });
}

TEST_CASE("connecting to a port nobody listens on throws a system_error", "[ch09]")
{
    const auto port = mini_redis::testing::free_port();  // nobody listens there
    CHECK_THROWS_AS(block_on([](unsigned short port) -> asio::awaitable<void> {
                        co_await connect(port);
                    }(port)),
                    boost::system::system_error);
}

TEST_CASE("mini-redis's receive_message_subscribed_channel: a published message arrives",
          "[ch09][ex09.2]")
{
    against_both_servers([](unsigned short port) {
        auto message = block_on([](unsigned short port) -> asio::awaitable<std::optional<Message>> {
            auto subscriber = co_await subscribe(port, "hello");
            auto publisher = co_await connect(port);
            // subscribe() returned after the server confirmed: the subscription is in place.
            co_await publisher.publish("hello", "world");
            co_return co_await subscriber.next_message();
        }(port));
        CHECK(message == Message{"hello", "world"});
    });
}

TEST_CASE("mini-redis's receive_message_multiple_subscribed_channels: messages on each arrive",
          "[ch09][ex09.2]")
{
    against_both_servers([](unsigned short port) {
        auto [messages, channels] = block_on(
            [](unsigned short port)
                -> asio::awaitable<std::pair<std::vector<Message>, std::vector<std::string>>> {
                auto subscriber = co_await subscribe(port, "hello", "world");
                auto publisher = co_await connect(port);
                std::vector<Message> messages;
                co_await publisher.publish("hello", "world");
                messages.push_back((co_await subscriber.next_message()).value());
                co_await publisher.publish("world", "howdy?");
                messages.push_back((co_await subscriber.next_message()).value());
                co_return std::pair{messages, subscriber.channels()};
            }(port));
        CHECK(messages == std::vector<Message>{{"hello", "world"}, {"world", "howdy?"}});
        CHECK(channels == std::vector<std::string>{"hello", "world"});
    });
}

TEST_CASE("mini-redis's unsubscribes_from_channels: after unsubscribing from all, none is left",
          "[ch09][ex09.9]")
{
    against_both_servers([](unsigned short port) {
        auto [message, left, receivers] = block_on(
            [](unsigned short port)
                -> asio::awaitable<std::tuple<Message, std::vector<std::string>, std::int64_t>> {
                auto subscriber = co_await subscribe(port, "hello", "world");
                auto publisher = co_await connect(port);
                co_await publisher.publish("world", "before");
                auto message = (co_await subscriber.next_message()).value();
                co_await subscriber.unsubscribe();
                auto receivers = co_await publisher.publish("world", "after");
                co_return std::tuple{message, subscriber.channels(), receivers};
            }(port));
        CHECK(message == Message{"world", "before"});
        CHECK(left.empty());
        CHECK(receivers == 0);
    });
}

TEST_CASE("messages that arrive while a subscribe waits for its confirmation are kept",
          "[ch09][ex09.2]")
{
    against_both_servers([](unsigned short port) {
        auto [messages, channels] = block_on(
            [](unsigned short port)
                -> asio::awaitable<std::pair<std::vector<Message>, std::vector<std::string>>> {
                auto subscriber = co_await subscribe(port, "a");
                auto publisher = co_await connect(port);
                // Both messages are on their way to the subscriber before it asks for "b", so
                // they reach it ahead of b's confirmation.
                co_await publisher.publish("a", "1");
                co_await publisher.publish("a", "2");
                co_await subscriber.subscribe(list("b"));
                co_await publisher.publish("b", "3");
                std::vector<Message> messages;
                for (int i = 0; i < 3; ++i) {
                    messages.push_back((co_await subscriber.next_message()).value());
                }
                co_await subscriber.unsubscribe(list("a"));
                co_return std::pair{messages, subscriber.channels()};
            }(port));
        CHECK(messages == std::vector<Message>{{"a", "1"}, {"a", "2"}, {"b", "3"}});
        CHECK(channels == std::vector<std::string>{"b"});
    });
}

TEST_CASE("next_message returns nullopt when the server shuts down", "[ch09][ex09.2]")
{
    mini_redis::Shutdown shutdown;
    mini_redis::testing::TestServer server([shutdown](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), {}, shutdown);
    });
    auto message =
        block_on([](unsigned short port,
                    mini_redis::Shutdown shutdown) -> asio::awaitable<std::optional<Message>> {
            auto subscriber = co_await subscribe(port, "news");
            shutdown.request();  // the server closes every connection, ours included
            co_return co_await subscriber.next_message();
        }(server.port(), shutdown));
    CHECK(message == std::nullopt);
}

TEST_CASE("subscribing to no channel is refused at once, before anything is sent",
          "[ch09][ex09.13]")
{
    auto server = ch09_test::start_server();
    auto refused = block_on([](unsigned short port) -> asio::awaitable<bool> {
        auto client = co_await connect(port);
        try {
            std::vector<std::string> none;
            co_await mini_redis::client::subscribe(std::move(client), std::move(none));
        } catch (const std::invalid_argument&) {
            co_return true;
        }
        co_return false;
    }(server->port()));
    CHECK(refused);
}

TEST_CASE("a call waits no longer than the client's timeout, and the connection then fails",
          "[ch09][ex09.12]")
{
    ch09_test::SilentServer server;
    const auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await connect(port);
        client.set_timeout(std::chrono::milliseconds(100));
        std::string outcome;
        for (int call = 0; call < 2; ++call) {
            try {
                co_await client.get("k");
                outcome += "answered; ";
            } catch (const boost::system::system_error& e) {
                outcome += (e.code() == asio::error::timed_out ? "timed out; " : e.what());
            }
        }
        co_return outcome;
    }(server.port()));
    // The second call fails at once, with the first one's error: a reply that came late would
    // be taken for its own.
    CHECK(outcome == "timed out; timed out; ");
    CHECK(server.received() == std::string("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").size());
}

TEST_CASE("once the server has closed the connection, every call says so, and sends nothing",
          "[ch09][ex09.12]")
{
    // The server answers the first PING, then closes its side (it reads on). The second PING
    // meets the end of stream; the third must fail from the client's memory of it, unsent.
    ch09_test::ScriptedServer server("+PONG\r\n");
    const auto outcome = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await connect(port);
        std::string outcome = co_await client.ping() + "; ";
        for (int call = 0; call < 2; ++call) {
            try {
                co_await client.ping();
                outcome += "answered; ";
            } catch (const boost::system::system_error& e) {
                outcome += (e.code() == asio::error::eof ? "end of stream; " : e.what());
            }
        }
        co_return outcome;  // the client goes, and closes the connection
    }(server.port()));
    CHECK(outcome == "PONG; end of stream; end of stream; ");
    REQUIRE(mini_redis::testing::eventually([&] { return server.ended() == 1; }));
    CHECK(server.received() == 2 * std::string("*1\r\n$4\r\nPING\r\n").size());
}

TEST_CASE("after a failed send, every later call fails with that same error", "[ch09][ex09.6]")
{
    // The server answers a PING, then resets the connection. Once the client's kernel has taken
    // the reset in (the connection has left its table), the next send fails, with "connection
    // reset"; a send after it would fail differently ("broken pipe"), so the call after must
    // fail from the client's memory of the first failure. Whatever the first error is, the
    // second must be the same.
    ch09_test::ResettingServer server("+PONG\r\n");
    const auto outcomes = block_on(
        [](ch09_test::ResettingServer& server) -> asio::awaitable<std::vector<std::string>> {
            auto client = co_await connect(server.port());
            std::vector<std::string> outcomes;
            outcomes.push_back(co_await client.ping());
            const bool reset_arrived = mini_redis::testing::eventually([&] {
                const auto port = server.reset_port();
                if (port == 0) {
                    return false;
                }
                // The whole pair of ports: another connection, to another server, may use the
                // same local port.
                for (const auto& socket : mini_redis::testing::tcp_sockets()) {
                    if (socket.local_port == port && socket.remote_port == server.port()) {
                        return false;
                    }
                }
                return true;
            });
            if (!reset_arrived) {
                outcomes.push_back("the reset never arrived");
                co_return outcomes;
            }
            for (int call = 0; call < 2; ++call) {
                try {
                    co_await client.ping();
                    outcomes.push_back("answered");
                } catch (const boost::system::system_error& e) {
                    outcomes.push_back(e.code().message());
                }
            }
            co_return outcomes;
        }(server));
    CAPTURE(outcomes);
    REQUIRE(outcomes.size() == 3);
    CHECK(outcomes[0] == "PONG");
    CHECK(outcomes[1] != "answered");
    CHECK(outcomes[2] == outcomes[1]);
}

TEST_CASE("under a timeout, a failure is reported at once and as itself, not as a timeout",
          "[ch09][ex09.18]")
{
    // `a || b` waits for the first side to *succeed*: an operation that fails must not wait for
    // the timer (an hour here) and then be reported as timed out.
    const auto nobody = mini_redis::testing::free_port();
    const auto refused = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        try {
            co_await Client::connect("127.0.0.1", port, std::chrono::hours(1));
            co_return "connected";
        } catch (const boost::system::system_error& e) {
            co_return e.code().message();
        }
    }(nobody));
    CHECK(refused == asio::error::make_error_code(asio::error::connection_refused).message());

    ch09_test::ScriptedServer server("!not RESP\r\n");
    const auto garbled = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        auto client = co_await Client::connect("127.0.0.1", port, std::chrono::hours(1));
        try {
            co_await client.ping();
            co_return "answered";
        } catch (const mini_redis::ProtocolError&) {
            co_return "protocol error";
        } catch (const std::exception& e) {
            co_return e.what();
        }
    }(server.port()));
    CHECK(garbled == "protocol error");
}

TEST_CASE("a call is cancelled through the caller's cancellation slot", "[ch09]")
{
    ch09_test::SilentServer server;
    asio::io_context context;
    asio::cancellation_signal cancel;
    std::optional<std::string> outcome;
    asio::co_spawn(
        context,
        [](unsigned short port) -> asio::awaitable<std::string> {
            auto client = co_await connect(port);
            try {
                co_await client.get("k");
                co_return "answered";
            } catch (const boost::system::system_error& e) {
                co_return e.code() == asio::error::operation_aborted ? "cancelled" : e.what();
            }
        }(server.port()),
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, std::string result) {
            outcome = std::move(result);
        }));
    // Once the server has the request, the call is waiting for a reply that never comes.
    REQUIRE(mini_redis::testing::eventually([&] {
        context.poll();
        return server.received() > 0;
    }));
    cancel.emit(asio::cancellation_type::terminal);
    REQUIRE(mini_redis::testing::eventually([&] {
        context.poll();
        return outcome.has_value();
    }));
    CHECK(*outcome == "cancelled");
}

TEST_CASE("a client connects by host name or by address, and says when it cannot",
          "[ch09][ex09.19]")
{
    auto server = ch09_test::start_server();
    for (const std::string host : {"localhost", "127.0.0.1"}) {
        INFO("host: " << host);
        const auto pong =
            block_on([](std::string host, unsigned short port) -> asio::awaitable<std::string> {
                auto client = co_await Client::connect(std::move(host), port);
                co_return co_await client.ping();
            }(host, server->port()));
        CHECK(pong == "PONG");
    }
    // A port nobody listens on: the refusal throws, it does not wait. (An unknown host name is
    // not tried: how long a resolver takes to say so depends on the machine's DNS set-up.)
    const auto refused = block_on([](unsigned short port) -> asio::awaitable<std::string> {
        try {
            auto client = co_await Client::connect("127.0.0.1", port);
            co_return "connected";
        } catch (const boost::system::system_error&) {
            co_return "system_error";
        }
    }(mini_redis::testing::free_port()));
    CHECK(refused == "system_error");
}

TEST_CASE("a long command and then a short one: each is sent alone, its arguments intact",
          "[ch09][ex09.6]")
{
    against_both_servers([](unsigned short port) {
        auto [value, pong] = block_on(
            [](unsigned short port)
                -> asio::awaitable<std::pair<std::optional<std::string>, std::string>> {
                auto client = co_await connect(port);
                // A value longer than the next command (bytes of it left in the buffer would be
                // sent again after GET), and longer than one write to a socket takes.
                co_await client.set("long key with spaces", std::string(std::size_t{8} << 20, 'x') +
                                                                std::string("\r\n$\0", 4));
                auto value = co_await client.get("long key with spaces");
                co_return std::pair{value, co_await client.ping()};
            }(port),
            // 16 MiB through both sockets: seconds on a busy machine under a
            // sanitizer, so the guard against a hang is a minute, not the usual 5 s.
            std::chrono::milliseconds(60000));
        // Not decomposed: Catch would print 8 MiB on a failure.
        CHECK((value == std::string(std::size_t{8} << 20, 'x') + std::string("\r\n$\0", 4)));
        CHECK(pong == "PONG");
    });
}

namespace {

/// A subscriber to `channel` on a scripted server; returns what next_message gives twice (the
/// script ends with a close, so the second is std::nullopt unless the script holds two
/// messages), or the exception subscribe or next_message threw, as "ServerError",
/// "ProtocolError", "system_error" or "other".
std::string subscribe_and_read(const std::string& script)
{
    ch09_test::ScriptedServer server(script);
    return block_on([](unsigned short port) -> asio::awaitable<std::string> {
        try {
            auto subscriber = co_await subscribe(port, "b");
            std::string seen;
            for (int i = 0; i < 2; ++i) {
                auto message = co_await subscriber.next_message();
                seen += message ? message->channel + ":" + message->content + ";" : "end;";
            }
            co_return seen;
        } catch (const ServerError&) {
            co_return "ServerError";
        } catch (const mini_redis::ProtocolError&) {
            co_return "ProtocolError";
        } catch (const boost::system::system_error&) {
            co_return "system_error";
        } catch (...) {
            co_return "other";
        }
    }(server.port()));
}

const std::string confirm_b = "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:1\r\n";

}  // namespace

TEST_CASE("a push is taken apart, an error reply is a ServerError, a malformed push is refused",
          "[ch09][ex09.7]")
{
    // The confirmation, one message, then the server closes: the end of the subscription.
    CHECK(subscribe_and_read(confirm_b + "*3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nhi\r\n") ==
          "b:hi;end;");
    CHECK(subscribe_and_read("-ERR no pub/sub here\r\n") == "ServerError");
    CHECK(subscribe_and_read("*2\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n") == "ProtocolError");
    CHECK(subscribe_and_read("*3\r\n:9\r\n$1\r\nb\r\n:1\r\n") == "ProtocolError");
    CHECK(subscribe_and_read("+OK\r\n") == "ProtocolError");
}

TEST_CASE("a message in the same read as the confirmation is kept; no confirmation is an error",
          "[ch09][ex09.8]")
{
    // A message on a channel we had before, then b's confirmation, in one write.
    CHECK(subscribe_and_read("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nold\r\n" + confirm_b) ==
          "a:old;end;");
    CHECK(subscribe_and_read("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\n1\r\n"
                             "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\n2\r\n" +
                             confirm_b) == "a:1;a:2;");
    // The server hangs up instead of confirming: subscribe must not return as if it had.
    CHECK(subscribe_and_read("") == "system_error");
    // A confirmation of another kind is not the one we wait for.
    CHECK(subscribe_and_read("*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n") == "ProtocolError");
}

TEST_CASE("unsubscribing from one channel of two keeps the other", "[ch09][ex09.9]")
{
    against_both_servers([](unsigned short port) {
        auto [channels, message, receivers] = block_on(
            [](unsigned short port)
                -> asio::awaitable<std::tuple<std::vector<std::string>, Message, std::int64_t>> {
                auto subscriber = co_await subscribe(port, "a", "b");
                auto publisher = co_await connect(port);
                co_await subscriber.unsubscribe(list("a"));
                auto channels = subscriber.channels();
                auto receivers = co_await publisher.publish("a", "lost");
                co_await publisher.publish("b", "kept");
                auto message = (co_await subscriber.next_message()).value();
                co_await subscriber.unsubscribe(list("b"));
                co_await subscriber.unsubscribe();  // none left: one confirmation, a null channel
                co_return std::tuple{channels, message, receivers};
            }(port));
        CHECK(channels == std::vector<std::string>{"b"});
        CHECK(receivers == 0);
        CHECK(message == Message{"b", "kept"});
    });
}

TEST_CASE("a channel named twice is confirmed twice and listed once", "[ch09][ex09.13]")
{
    against_both_servers([](unsigned short port) {
        auto [channels, message] =
            block_on([](unsigned short port)
                         -> asio::awaitable<std::pair<std::vector<std::string>, Message>> {
                auto subscriber = co_await subscribe(port, "a", "b", "a");
                co_await subscriber.subscribe(list("b", "c"));
                auto publisher = co_await connect(port);
                co_await publisher.publish("c", "hi");
                // A confirmation left unread would come out here instead of the message.
                auto message = (co_await subscriber.next_message()).value();
                co_return std::pair{subscriber.channels(), message};
            }(port));
        CHECK(channels == std::vector<std::string>{"a", "b", "c"});
        CHECK(message == Message{"c", "hi"});
    });
}
