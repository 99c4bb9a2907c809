// Chapter 09: mini-redis-cli as a user runs it, and the reply formatting behind its output.
#include "client_test.hpp"

#include "client/reply_format.hpp"
#include "frame.hpp"

#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/run_program.hpp"
#include "mini_redis/testing/server_process.hpp"

#include "client/client.hpp"

#include "mini_redis/testing/free_port.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>
#include <vector>

using mini_redis::Frame;
using mini_redis::client::OutputStyle;
using mini_redis::testing::ProgramResult;
using mini_redis::testing::run_program;

namespace {

/// Runs mini-redis-cli with `args` against 127.0.0.1:`port`; its output is piped (not a
/// terminal), so it prints raw values.
ProgramResult cli(unsigned short port, std::vector<std::string> args)
{
    args.insert(args.begin(), {MINI_REDIS_CLI_BINARY, "-p", std::to_string(port)});
    return run_program(args);
}

/// The same as a person at a terminal runs it: `script` gives the CLI a pseudo-terminal as its
/// output, so it prints like redis-cli on a terminal. Lines end in \r\n there.
ProgramResult cli_on_terminal(unsigned short port, const std::string& args)
{
    return run_program(
        {"script", "-qec",
         std::string(MINI_REDIS_CLI_BINARY) + " -p " + std::to_string(port) + " " + args,
         "/dev/null"});
}

}  // namespace

TEST_CASE("mini-redis-cli piped prints raw values, one per line, and exits 0", "[ch09][ex09.1]")
{
    auto server = ch09_test::start_server();
    const auto port = server->port();
    CHECK(cli(port, {"ping"}).output == "PONG\n");
    CHECK(cli(port, {"ping", "hello world"}).output == "hello world\n");
    CHECK(cli(port, {"get", "greeting"}).output == "\n");  // (nil) on a terminal
    auto set = cli(port, {"set", "greeting", "hello\tthere"});
    CHECK(set.status == 0);
    CHECK(set.output == "OK\n");
    CHECK(cli(port, {"get", "greeting"}).output == "hello\tthere\n");
    CHECK(cli(port, {"GET", "greeting"}).output == "hello\tthere\n");  // any case, as in Redis
    CHECK(cli(port, {"set", "brief", "v", "--expires", "60000"}).output == "OK\n");
    CHECK(cli(port, {"get", "brief"}).output == "v\n");
    auto publish = cli(port, {"publish", "news", "extra"});
    CHECK(publish.status == 0);
    CHECK(publish.output == "0\n");
    // --host and its alias --hostname, as mini-redis-cli spells it.
    CHECK(run_program({MINI_REDIS_CLI_BINARY, "--host", "127.0.0.1", "--port", std::to_string(port),
                       "ping"})
              .output == "PONG\n");
    CHECK(run_program({MINI_REDIS_CLI_BINARY, "--hostname", "localhost", "-p", std::to_string(port),
                       "ping"})
              .output == "PONG\n");
}

TEST_CASE("mini-redis-cli exits 1 on an error reply, with the error on one line", "[ch09][ex09.14]")
{
    auto server = ch09_test::start_server();
    auto result = cli(server->port(), {"set", "k", "v", "--expires", "0"});
    CHECK(result.status == 1);
    CHECK(result.output == "(error) ERR invalid expire time in 'set' command\n");
}

TEST_CASE("mini-redis-cli exits 2 with a one-line message when it cannot connect",
          "[ch09][ex09.14]")
{
    const auto port = mini_redis::testing::free_port();  // nobody listens there
    auto result = cli(port, {"ping"});
    CHECK(result.status == 2);
    CHECK(result.output ==
          "Could not connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused\n");
}

TEST_CASE("mini-redis-cli --timeout gives up on a server that never answers, with status 2",
          "[ch09]")
{
    ch09_test::SilentServer server;
    auto result = cli(server.port(), {"--timeout", "0.2", "get", "k"});
    CHECK(result.status == 2);
    CHECK_THAT(result.output, Catch::Contains("timed out"));
    CHECK(cli(server.port(), {"--timeout", "-1", "ping"}).status != 0);  // refused by the parser
}

TEST_CASE("mini-redis-cli rejects a malformed command line with usage help, not a crash", "[ch09]")
{
    auto result = run_program({MINI_REDIS_CLI_BINARY, "get"});
    CHECK(result.status != 0);
    CHECK_THAT(result.output, Catch::Contains("key is required"));
    CHECK(run_program({MINI_REDIS_CLI_BINARY}).status != 0);
    auto help = run_program({MINI_REDIS_CLI_BINARY, "--help"});
    CHECK(help.status == 0);
    CHECK_THAT(help.output, Catch::Contains("--hostname"));
}

TEST_CASE("mini-redis-cli on a terminal prints like redis-cli", "[ch09][ex09.5]")
{
    auto server = ch09_test::start_server();
    const auto port = server->port();
    CHECK(cli_on_terminal(port, "set k 'a\tb\"c'").output == "OK\r\n");
    CHECK(cli_on_terminal(port, "get k").output == "\"a\\tb\\\"c\"\r\n");
    CHECK(cli_on_terminal(port, "get missing").output == "(nil)\r\n");
    CHECK(cli_on_terminal(port, "publish news x").output == "(integer) 0\r\n");
    auto error = cli_on_terminal(port, "set k v --expires -1");
    CHECK(error.status == 1);
    CHECK(error.output == "(error) ERR invalid expire time in 'set' command\r\n");
}

TEST_CASE("mini-redis-cli subscribe prints each message as it arrives until interrupted",
          "[ch09][ex09.2]")
{
    auto server = ch09_test::start_server();
    const auto port = server->port();
    mini_redis::testing::ServerProcess subscriber(
        MINI_REDIS_CLI_BINARY, {"-p", std::to_string(port), "subscribe", "news", "sport"},
        std::chrono::seconds(10), "Reading messages");
    auto publish = [port](std::string channel, std::string message) {
        return mini_redis::testing::block_on(
            [](unsigned short port, std::string channel,
               std::string message) -> boost::asio::awaitable<std::int64_t> {
                auto client = co_await mini_redis::client::Client::connect("127.0.0.1", port);
                co_return co_await client.publish(std::move(channel), std::move(message));
            }(port, std::move(channel), std::move(message)));
    };
    CHECK(publish("news", "hello") == 1);
    CHECK(publish("sport", "goal") == 1);
    subscriber.wait_for_output("message\nsport\ngoal\n", std::chrono::seconds(5));
    CHECK_THAT(subscriber.output(),
               Catch::EndsWith("message\nnews\nhello\nmessage\nsport\ngoal\n"));
    subscriber.signal(SIGINT);
    CHECK(subscriber.wait() == 128 + SIGINT);
}

TEST_CASE("quote() escapes like redis-cli", "[ch09][ex09.5]")
{
    CHECK(mini_redis::client::quote("hello") == "\"hello\"");
    CHECK(mini_redis::client::quote("") == "\"\"");
    CHECK(mini_redis::client::quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(mini_redis::client::quote("\n\r\t\a\b") == "\"\\n\\r\\t\\a\\b\"");
    CHECK(mini_redis::client::quote(std::string("\0\x01\x7f", 3)) == "\"\\x00\\x01\\x7f\"");
    CHECK(mini_redis::client::quote("é") == "\"\\xc3\\xa9\"");  // bytes, as redis-cli shows UTF-8
    CHECK(mini_redis::client::quote("~ !") == "\"~ !\"");
}

TEST_CASE("format_reply marks each kind on a terminal and prints raw values otherwise",
          "[ch09][ex09.15]")
{
    const auto terminal = OutputStyle::terminal;
    const auto raw = OutputStyle::raw;
    CHECK(mini_redis::client::format_reply(Frame::simple("OK"), terminal) == "OK");
    CHECK(mini_redis::client::format_reply(Frame::bulk("a b"), terminal) == "\"a b\"");
    CHECK(mini_redis::client::format_reply(Frame::bulk("a b"), raw) == "a b");
    CHECK(mini_redis::client::format_reply(Frame::integer(-3), terminal) == "(integer) -3");
    CHECK(mini_redis::client::format_reply(Frame::integer(-3), raw) == "-3");
    CHECK(mini_redis::client::format_reply(Frame::null(), terminal) == "(nil)");
    CHECK(mini_redis::client::format_reply(Frame::null(), raw) == "");
    CHECK(mini_redis::client::format_reply(Frame::error("ERR no"), raw) == "(error) ERR no");
    CHECK(mini_redis::client::format_reply(Frame::array({}), terminal) == "(empty array)");
    const auto nested =
        Frame::array({Frame::array({Frame::bulk("a"), Frame::integer(1)}), Frame::bulk("b")});
    CHECK(mini_redis::client::format_reply(nested, terminal) ==
          "1) 1) \"a\"\n   2) (integer) 1\n2) \"b\"");
    CHECK(mini_redis::client::format_reply(nested, raw) == "a\n1\nb");
    // Ten items: the numbers are right-aligned to two digits, and the lines of a nested array
    // line up under its first item.
    Frame::Array items;
    std::string expected;
    for (int i = 0; i < 9; ++i) {
        items.push_back(Frame::integer(i));
        expected += " " + std::to_string(i + 1) + ") (integer) " + std::to_string(i) + "\n";
    }
    items.push_back(Frame::array({Frame::bulk("x"), Frame::bulk("y")}));
    expected += "10) 1) \"x\"\n    2) \"y\"";
    CHECK(mini_redis::client::format_reply(Frame::array(std::move(items)), terminal) == expected);
    // Three levels: each adds its own prefix's width to the indent.
    const auto deep =
        Frame::array({Frame::array({Frame::array({Frame::bulk("a"), Frame::bulk("b")})})});
    CHECK(mini_redis::client::format_reply(deep, terminal) == "1) 1) 1) \"a\"\n      2) \"b\"");
}

TEST_CASE("mini-redis-cli's subcommands take their arguments, and refuse missing ones",
          "[ch09][ex09.11]")
{
    auto server = ch09_test::start_server();
    const auto port = server->port();
    CHECK(cli(port, {"ping"}).output == "PONG\n");
    CHECK(cli(port, {"PING", "two words"}).output == "two words\n");
    CHECK(cli(port, {"set", "k", "v", "--expires", "60000"}).output == "OK\n");
    CHECK(cli(port, {"Get", "k"}).output == "v\n");
    CHECK(cli(port, {"publish", "news", "extra"}).output == "0\n");
    // A missing argument is a usage error, reported before anything is sent.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"get"}, {"set", "k"}, {"publish", "news"}, {"subscribe"}, {"get", "a", "b"}}) {
        auto result = cli(port, args);
        INFO(args.front() << ": " << result.output);
        CHECK(result.status != 0);
        CHECK(result.status < 128);  // no crash
        CHECK_THAT(result.output, Catch::Contains("--help") || Catch::Contains("required") ||
                                      Catch::Contains("xtras"));
    }
    CHECK(cli(port, {"get", "k"}).output == "v\n");  // nothing above changed k
}
