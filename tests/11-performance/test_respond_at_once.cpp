// Chapter 11: respond_at_once() answers every command that never waits without a coroutine
// (exercise 11.8). Without sockets, as a session drives it: one connection's Db, Outbox and
// Subscriptions. What it answers must be in the outbox as soon as it returns; SUBSCRIBE and
// UNSUBSCRIBE must come back untouched for respond(), the coroutine, to run; and subscriber mode
// keeps chapter 6's rules.
#include "command.hpp"
#include "db.hpp"
#include "frame.hpp"
#include "outbox.hpp"
#include "parser.hpp"
#include "respond.hpp"
#include "subscriptions.hpp"

#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace mini_redis;

namespace {

const std::string not_allowed =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

/// A request as the session turns it into a command.
Command command(const std::vector<std::string>& words)
{
    Frame::Array items;
    for (const auto& word : words) {
        items.push_back(Frame::bulk(word));
    }
    return parse_command(Frame::array(std::move(items)));
}

/// One connection's state, as a session holds it, on an io_context the test runs by hand.
struct ConnectionState {
    asio::io_context io;
    asio::any_io_executor strand = asio::make_strand(io);
    Db db;
    std::shared_ptr<Outbox> outbox = std::make_shared<Outbox>(strand, 1024 * 1024);
    Subscriptions subscriptions{db, outbox};

    /// Runs a coroutine on the strand until it has finished, and returns its result.
    template <typename T>
    T run(asio::awaitable<T> work)
    {
        std::optional<T> result;
        asio::co_spawn(strand, std::move(work), [&](std::exception_ptr failure, T value) {
            if (failure) {
                std::rethrow_exception(failure);
            }
            result = std::move(value);
        });
        while (!result && io.poll() > 0) {
        }
        io.restart();
        REQUIRE(result.has_value());
        return std::move(*result);
    }

    /// The replies queued since the last call, as frames, taken as the writer takes them.
    std::vector<Frame> replies()
    {
        auto take = [](std::shared_ptr<Outbox> outbox) -> asio::awaitable<std::string> {
            std::string batch;
            co_await outbox->take(batch);
            co_return batch;
        };
        const std::string bytes = run(take(outbox));
        std::vector<Frame> frames;
        Parser parser;
        std::string_view rest = bytes;
        while (!rest.empty()) {
            auto read = parser.parse(rest);
            REQUIRE(read.status == Parser::Status::frame);
            frames.push_back(std::move(read.frame));
            rest.remove_prefix(read.consumed);
        }
        return frames;
    }

    /// Runs `request` through respond(), the coroutine: how SUBSCRIBE and UNSUBSCRIBE run.
    Responded respond_later(const std::vector<std::string>& request)
    {
        const Subscriptions::Pause pause = []() -> asio::awaitable<void> { co_return; };
        return run(respond(command(request), db, subscriptions, *outbox, pause));
    }

    /// Runs `request` through respond_at_once(), which must answer it.
    Responded at_once(const std::vector<std::string>& request)
    {
        Command parsed = command(request);
        auto responded = respond_at_once(parsed, db, subscriptions, *outbox);
        REQUIRE(responded.has_value());
        return *responded;
    }
};

}  // namespace

TEST_CASE("commands that never wait are answered at once, into the outbox", "[ch11][ex11.8]")
{
    ConnectionState connection;
    CHECK(connection.at_once({"SET", "k", "v"}).go_on);
    CHECK(connection.db.get("k") == std::optional<std::string>("v"));  // before any coroutine ran
    CHECK(connection.at_once({"GET", "k"}).error.empty());
    CHECK(connection.at_once({"PING"}).go_on);
    CHECK(connection.at_once({"ECHO", "hello"}).go_on);
    CHECK(connection.at_once({"PUBLISH", "news", "hi"}).error.empty());
    CHECK(connection.replies() == std::vector<Frame>{Frame::simple("OK"), Frame::bulk("v"),
                                                     Frame::simple("PONG"), Frame::bulk("hello"),
                                                     Frame::integer(0)});
}

TEST_CASE("an error reply is reported with its message, and QUIT ends the connection",
          "[ch11][ex11.8]")
{
    ConnectionState connection;
    const auto unknown = connection.at_once({"FOO", "x"});
    CHECK(unknown.go_on);
    CHECK(unknown.error == "ERR unknown command 'FOO', with args beginning with: 'x' ");
    const auto arity = connection.at_once({"GET"});
    CHECK(arity.error == "ERR wrong number of arguments for 'get' command");
    const auto options = connection.at_once({"SET", "k", "v", "EX", "0"});
    CHECK(options.error == "ERR invalid expire time in 'set' command");
    const auto quit = connection.at_once({"QUIT"});
    CHECK_FALSE(quit.go_on);
    CHECK(quit.error.empty());
    CHECK(connection.replies() ==
          std::vector<Frame>{Frame::error(unknown.error), Frame::error(arity.error),
                             Frame::error(options.error), Frame::simple("OK")});
}

TEST_CASE("SUBSCRIBE and UNSUBSCRIBE are left to respond(), untouched", "[ch11][ex11.8]")
{
    ConnectionState connection;
    for (const auto& request : std::vector<std::vector<std::string>>{
             {"SUBSCRIBE", "a", "b"}, {"UNSUBSCRIBE", "a"}, {"UNSUBSCRIBE"}}) {
        Command parsed = command(request);
        const Command before = parsed;
        CHECK_FALSE(
            respond_at_once(parsed, connection.db, connection.subscriptions, *connection.outbox)
                .has_value());
        CHECK(parsed == before);  // not moved from: respond() runs it next
    }
    CHECK_FALSE(connection.subscriptions.active());

    // respond() runs them, with the command as it was.
    CHECK(connection.respond_later({"SUBSCRIBE", "a", "b"}).go_on);
    CHECK(connection.subscriptions.active());
    CHECK(connection.replies().size() == 2);
}

TEST_CASE("while subscribed, only PING and QUIT run, and PING answers as a message",
          "[ch11][ex11.8]")
{
    ConnectionState connection;
    connection.respond_later({"SUBSCRIBE", "a"});
    connection.replies();

    const auto get = connection.at_once({"GET", "k"});
    CHECK(get.go_on);
    CHECK(get.error == "ERR Can't execute 'get" + not_allowed);
    const auto set = connection.at_once({"SET", "k", "v"});
    CHECK(set.error == "ERR Can't execute 'set" + not_allowed);
    const auto set_options = connection.at_once({"SET", "k", "v", "PX"});
    CHECK(set_options.error == "ERR Can't execute 'set" + not_allowed);
    const auto unknown = connection.at_once({"FOO"});  // names and arity are checked first
    CHECK(unknown.error == "ERR unknown command 'FOO', with args beginning with: ");
    CHECK(connection.at_once({"PING"}).error.empty());
    CHECK(connection.at_once({"PING", "hi"}).go_on);
    CHECK_FALSE(connection.at_once({"QUIT"}).go_on);

    CHECK(connection.replies() ==
          std::vector<Frame>{
              Frame::error(get.error), Frame::error(set.error), Frame::error(set_options.error),
              Frame::error(unknown.error), Frame::array({Frame::bulk("pong"), Frame::bulk("")}),
              Frame::array({Frame::bulk("pong"), Frame::bulk("hi")}), Frame::simple("OK")});
    CHECK_FALSE(connection.db.get("k").has_value());  // the refused SET stored nothing
}
