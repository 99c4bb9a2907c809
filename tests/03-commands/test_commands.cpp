// Chapter 03 without sockets: the argument cursor (03.1, 03.2), integers (03.3), the
// unknown-command error (03.4) and parsing commands (03.5).
#include "arguments.hpp"
#include "command.hpp"

#include <catch2/catch.hpp>

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using mini_redis::Arguments;
using mini_redis::Command;
using mini_redis::CommandError;
using mini_redis::Frame;
using mini_redis::parse_command;
using namespace std::string_literals;

namespace {

/// A request as a client sends it: an array of bulk strings.
Frame request(std::initializer_list<std::string> words)
{
    Frame::Array items;
    for (const auto& word : words) {
        items.push_back(Frame::bulk(word));
    }
    return Frame::array(std::move(items));
}

std::string error_of(const Command& command)
{
    const auto* invalid = std::get_if<mini_redis::Invalid>(&command);
    return invalid ? invalid->error : "(not an error)";
}

}  // namespace

TEST_CASE("the cursor keeps the name as sent and in lower case", "[ch03][ex03.1]")
{
    Arguments args(std::get<Frame::Array>(request({"sEt", "key", "value"}).value));
    CHECK(args.name() == "sEt");
    CHECK(args.lowercase_name() == "set");
    CHECK(Arguments(Frame::Array{Frame::bulk("PUBLISH")}).lowercase_name() == "publish");
    // Only ASCII letters change; other bytes, those above 127 included, stay as they are.
    CHECK(Arguments(Frame::Array{Frame::bulk("G3T_\xc9x")}).lowercase_name() == "g3t_\xc9x");
    CHECK(Arguments(Frame::Array{Frame::simple("PING")}).lowercase_name() == "ping");
}

TEST_CASE("a request without even a name is refused", "[ch03][ex03.1]")
{
    CHECK_THROWS_WITH(Arguments(Frame::Array{}), "ERR empty command");
}

TEST_CASE("the cursor hands out arguments in order, then reports there are none", "[ch03][ex03.2]")
{
    Arguments args(std::get<Frame::Array>(request({"SET", "key", "value"}).value));
    CHECK_FALSE(args.empty());
    CHECK(args.next_bytes() == "key");
    CHECK_FALSE(args.empty());
    CHECK(args.next_bytes() == "value");
    CHECK(args.empty());
    CHECK_NOTHROW(args.finish());
}

TEST_CASE("taking an argument that is not there is Redis's wrong-number error", "[ch03][ex03.2]")
{
    Arguments args(Frame::Array{Frame::bulk("GeT")});
    CHECK_THROWS_WITH(args.next_bytes(), "ERR wrong number of arguments for 'get' command");
    CHECK(args.empty());  // a failed take moves nothing
    CHECK_THROWS_WITH(args.next_bytes(), "ERR wrong number of arguments for 'get' command");
}

TEST_CASE("an argument left over is the same wrong-number error", "[ch03][ex03.2]")
{
    Arguments args(Frame::Array{Frame::bulk("echo"), Frame::bulk("a"), Frame::bulk("b")});
    CHECK(args.next_bytes() == "a");
    CHECK_THROWS_WITH(args.finish(), "ERR wrong number of arguments for 'echo' command");
}

TEST_CASE("integer and simple-string arguments are read as their text", "[ch03][ex03.2]")
{
    Arguments args(Frame::Array{Frame::bulk("x"), Frame::integer(-12), Frame::simple("EX")});
    CHECK(args.next_bytes() == "-12");
    CHECK(args.next_bytes() == "EX");
}

namespace {

/// Texts and whether Redis reads them as integers: "the table agrees with redis-server" below
/// proves each row with INCRBY, which reads its increment with Redis's string2ll.
const std::vector<std::pair<std::string, std::optional<std::int64_t>>> integer_cases = {
    {"0", 0},
    {"7", 7},
    {"-5", -5},
    {"10", 10},
    {"9223372036854775807", INT64_MAX},
    {"-9223372036854775808", INT64_MIN},
    {"", std::nullopt},
    {"-", std::nullopt},
    {"+1", std::nullopt},
    {" 1", std::nullopt},
    {"1 ", std::nullopt},
    {"007", std::nullopt},
    {"-0", std::nullopt},
    {"-01", std::nullopt},
    {"1.5", std::nullopt},
    {"1e3", std::nullopt},
    {"12abc", std::nullopt},
    {"0x10", std::nullopt},
    {"9223372036854775808", std::nullopt},
    {"-9223372036854775809", std::nullopt},
    {"99999999999999999999", std::nullopt},
};

}  // namespace

TEST_CASE("to_integer reads what Redis reads as an integer, and nothing else", "[ch03][ex03.3]")
{
    for (const auto& [text, expected] : integer_cases) {
        INFO("text: \"" << text << '"');
        CHECK(mini_redis::to_integer(text) == expected);
    }
}

TEST_CASE("next_integer takes an integer argument or says it is not one", "[ch03][ex03.3]")
{
    Arguments args(Frame::Array{Frame::bulk("x"), Frame::bulk("-42"), Frame::bulk("4x")});
    CHECK(args.next_integer() == -42);
    CHECK_THROWS_WITH(args.next_integer(), "ERR value is not an integer or out of range");
}

TEST_CASE("the integer table agrees with redis-server", "[ch03][redis]")
{
    mini_redis::testing::RealRedis redis;
    for (const auto& [text, expected] : integer_cases) {
        INFO("INCRBY with \"" << text << '"');
        const std::string command = "*3\r\n$6\r\nINCRBY\r\n$8\r\nc03:incr\r\n$" +
                                    std::to_string(text.size()) + "\r\n" + text + "\r\n";
        const std::string reply = mini_redis::testing::conversation(redis.port(), command);
        CHECK(reply == (expected ? ":" + std::to_string(*expected) + "\r\n"
                                 : "-ERR value is not an integer or out of range\r\n"));
        mini_redis::testing::conversation(redis.port(), "*2\r\n$3\r\nDEL\r\n$8\r\nc03:incr\r\n");
    }
}

TEST_CASE("each command parses into its own value, whatever the case of its name", "[ch03][ex03.5]")
{
    using namespace mini_redis;
    CHECK(parse_command(request({"PING"})) == Command{Ping{}});
    CHECK(parse_command(request({"ping", "hi"})) == Command{Ping{"hi"}});
    CHECK(parse_command(request({"Echo", "x"})) == Command{Echo{"x"}});
    CHECK(parse_command(request({"GET", "k"})) == Command{Get{"k"}});
    CHECK(parse_command(request({"sEt", "k", "v"})) == Command{Set{"k", "v"}});
    CHECK(parse_command(request({"QUIT"})) == Command{Quit{}});
    CHECK(parse_command(request({"quit", "with", "words"})) == Command{Quit{}});
}

TEST_CASE("keys and values are binary-safe", "[ch03][ex03.5]")
{
    using namespace mini_redis;
    CHECK(parse_command(request({"SET", "a\0b"s, "\r\n\xff"s})) ==
          Command{Set{"a\0b"s, "\r\n\xff"s}});
}

TEST_CASE("wrong argument counts give Redis's error, naming the command in lower case",
          "[ch03][ex03.5]")
{
    CHECK(error_of(parse_command(request({"PING", "a", "b"}))) ==
          "ERR wrong number of arguments for 'ping' command");
    CHECK(error_of(parse_command(request({"ECHO"}))) ==
          "ERR wrong number of arguments for 'echo' command");
    CHECK(error_of(parse_command(request({"Get"}))) ==
          "ERR wrong number of arguments for 'get' command");
    CHECK(error_of(parse_command(request({"GET", "a", "b"}))) ==
          "ERR wrong number of arguments for 'get' command");
    CHECK(error_of(parse_command(request({"SET", "k"}))) ==
          "ERR wrong number of arguments for 'set' command");
}

TEST_CASE("SET with anything after the value is a syntax error", "[ch03][ex03.5]")
{
    CHECK(error_of(parse_command(request({"SET", "k", "v", "NX"}))) == "ERR syntax error");
}

TEST_CASE("an unknown command names itself as sent and quotes its first arguments",
          "[ch03][ex03.4]")
{
    CHECK(error_of(parse_command(request({"FOO", "hello", "world"}))) ==
          "ERR unknown command 'FOO', with args beginning with: 'hello' 'world' ");
    CHECK(error_of(parse_command(request({"fooBar"}))) ==
          "ERR unknown command 'fooBar', with args beginning with: ");
    CHECK(error_of(parse_command(request({"x" + std::string(200, 'y')}))) ==
          "ERR unknown command 'x" + std::string(127, 'y') + "', with args beginning with: ");
}

TEST_CASE("an unknown command quotes about 128 bytes of arguments, cut and cleaned",
          "[ch03][ex03.4]")
{
    // 100 + 100 bytes: the first whole, the second cut to what is left of 128 (the quotes and
    // the space count), the third not quoted at all.
    CHECK(error_of(
              parse_command(request({"foo", std::string(100, 'a'), std::string(100, 'b'), "c"}))) ==
          "ERR unknown command 'foo', with args beginning with: '" + std::string(100, 'a') + "' '" +
              std::string(25, 'b') + "' ");
    CHECK(error_of(parse_command(request({"foo", "a\r\nb", "c\0d"s, "e"}))) ==
          "ERR unknown command 'foo', with args beginning with: 'a  b' 'c' 'e' ");
}
