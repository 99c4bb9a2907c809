// Chapter 03 without sockets: the argument cursor (03.1) and parsing commands (03.2).
#include "arguments.hpp"
#include "command.hpp"

#include <catch2/catch.hpp>

#include <string>

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

TEST_CASE("the cursor hands out arguments in order, then reports there are none", "[ch03][ex03.1]")
{
    Arguments args(std::get<Frame::Array>(request({"SET", "key", "value"}).value));
    CHECK(args.name() == "SET");
    CHECK(args.lowercase_name() == "set");
    CHECK_FALSE(args.empty());
    CHECK(args.next_bytes() == "key");
    CHECK(args.next_bytes() == "value");
    CHECK(args.empty());
    CHECK_NOTHROW(args.finish());
}

TEST_CASE("taking an argument that is not there is Redis's wrong-number error", "[ch03][ex03.1]")
{
    Arguments args(Frame::Array{Frame::bulk("GeT")});
    CHECK_THROWS_WITH(args.next_bytes(), "ERR wrong number of arguments for 'get' command");
}

TEST_CASE("an argument left over is the same wrong-number error", "[ch03][ex03.1]")
{
    Arguments args(Frame::Array{Frame::bulk("echo"), Frame::bulk("a"), Frame::bulk("b")});
    CHECK(args.next_bytes() == "a");
    CHECK_THROWS_AS(args.finish(), CommandError);
}

TEST_CASE("integer and simple-string arguments are read as their text", "[ch03][ex03.1]")
{
    Arguments args(Frame::Array{Frame::bulk("x"), Frame::integer(-12), Frame::simple("EX")});
    CHECK(args.next_bytes() == "-12");
    CHECK(args.next_bytes() == "EX");
}

TEST_CASE("next_integer accepts what Redis accepts and refuses the rest", "[ch03][ex03.1]")
{
    const auto read = [](std::string text) {
        Arguments args(Frame::Array{Frame::bulk("x"), Frame::bulk(std::move(text))});
        return args.next_integer();
    };
    CHECK(read("0") == 0);
    CHECK(read("-5") == -5);
    CHECK(read("9223372036854775807") == INT64_MAX);
    for (const char* bad : {"", "+1", "007", "-0", "1.5", "1e3", " 1", "9223372036854775808"}) {
        INFO("argument: '" << bad << "'");
        CHECK_THROWS_WITH(read(bad), "ERR value is not an integer or out of range");
    }
}

TEST_CASE("each command parses into its own value, whatever the case of its name", "[ch03][ex03.2]")
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

TEST_CASE("keys and values are binary-safe", "[ch03][ex03.2]")
{
    using namespace mini_redis;
    CHECK(parse_command(request({"SET", "a\0b"s, "\r\n\xff"s})) ==
          Command{Set{"a\0b"s, "\r\n\xff"s}});
}

TEST_CASE("wrong argument counts give Redis's error, naming the command in lower case",
          "[ch03][ex03.2]")
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

TEST_CASE("SET with anything after the value is a syntax error", "[ch03][ex03.2]")
{
    CHECK(error_of(parse_command(request({"SET", "k", "v", "NX"}))) == "ERR syntax error");
}

TEST_CASE("an unknown command names itself as sent and quotes its first arguments",
          "[ch03][ex03.2]")
{
    CHECK(error_of(parse_command(request({"FOO", "hello", "world"}))) ==
          "ERR unknown command 'FOO', with args beginning with: 'hello' 'world' ");
    CHECK(error_of(parse_command(request({"x" + std::string(200, 'y')}))) ==
          "ERR unknown command 'x" + std::string(127, 'y') + "', with args beginning with: ");
}
