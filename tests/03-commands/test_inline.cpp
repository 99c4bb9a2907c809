// Chapter 03: inline commands without sockets. Splitting a line into words (exercise 03.8),
// quotes and escapes (03.9), and the request parser reading a line as a command (03.10).
#include "inline_command.hpp"
#include "parser.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using mini_redis::Frame;
using mini_redis::Parser;
using mini_redis::split_inline;
using mini_redis::Syntax;
using Words = std::vector<std::string>;
using namespace std::string_literals;

TEST_CASE("words are separated by runs of spaces and tabs", "[ch03][ex03.8]")
{
    CHECK(split_inline("SET key value") == Words{"SET", "key", "value"});
    CHECK(split_inline("  GET \t  key  ") == Words{"GET", "key"});
    CHECK(split_inline("PING") == Words{"PING"});
    CHECK(split_inline("a\vb\fc") == Words{"a", "b", "c"});
}

TEST_CASE("a blank line has no words", "[ch03][ex03.8]")
{
    CHECK(split_inline("") == Words{});
    CHECK(split_inline("   \t ") == Words{});
}

TEST_CASE("double quotes keep spaces and understand escapes", "[ch03][ex03.9]")
{
    CHECK(split_inline(R"(SET k "hello world")") == Words{"SET", "k", "hello world"});
    CHECK(split_inline(R"("a\nb\r\t\b\a")") == Words{"a\nb\r\t\b\a"});
    CHECK(split_inline(R"("\x41\x4a\x00z")") == Words{"AJ\0z"s});
    CHECK(split_inline(R"("\"quoted\" \\ \q")") == Words{R"("quoted" \ q)"});
    CHECK(split_inline(R"("\x4")") == Words{"x4"});  // not two hex digits: \x is just x
    CHECK(split_inline(R"("")") == Words{""});
}

TEST_CASE("single quotes keep everything but an escaped quote", "[ch03][ex03.9]")
{
    CHECK(split_inline(R"(ECHO 'it\'s \n raw')") == Words{"ECHO", R"(it's \n raw)"});
}

TEST_CASE("a quote may start in the middle of a word", "[ch03][ex03.8]")
{
    CHECK(split_inline(R"(a"b c" d)") == Words{"ab c", "d"});
    CHECK(split_inline(R"(x'' "" y)") == Words{"x", "", "y"});
}

TEST_CASE("unbalanced quotes and a quote glued to the next word are errors", "[ch03][ex03.9]")
{
    CHECK_FALSE(split_inline(R"(SET "a b)").has_value());
    CHECK_FALSE(split_inline(R"(SET 'a b)").has_value());
    CHECK_FALSE(split_inline(R"("a"b)").has_value());
    CHECK_FALSE(split_inline(R"('a'b)").has_value());
    CHECK_FALSE(split_inline(R"("ends with a backslash\)").has_value());
}

namespace {

/// What a request parser makes of `input`, the way a server reads it.
Parser::Result parse_request(std::string_view input, mini_redis::ParserLimits limits = {})
{
    Parser parser(limits, Syntax::requests);
    return parser.parse(input);
}

Frame bulks(std::initializer_list<std::string> words)
{
    Frame::Array items;
    for (const auto& word : words) {
        items.push_back(Frame::bulk(word));
    }
    return Frame::array(std::move(items));
}

}  // namespace

TEST_CASE("a line that does not start with '*' is read as an inline command", "[ch03][ex03.10]")
{
    const auto result = parse_request("SET k \"a b\"\r\nGET k\r\n");
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.frame == bulks({"SET", "k", "a b"}));
    CHECK(result.consumed == 13);  // the line and its \r\n, not the next command
}

TEST_CASE("an inline command may end in a bare \\n or in \\r\\n", "[ch03][ex03.10]")
{
    const auto bare = parse_request("PING\nPING\n");
    REQUIRE(bare.status == Parser::Status::frame);
    CHECK(bare.frame == bulks({"PING"}));
    CHECK(bare.consumed == 5);
    const auto crlf = parse_request("ECHO a\r\nPING\r\n");
    REQUIRE(crlf.status == Parser::Status::frame);
    CHECK(crlf.frame == bulks({"ECHO", "a"}));
    CHECK(crlf.consumed == 8);
}

TEST_CASE("an inline command waits for its \\n", "[ch03][ex03.10]")
{
    CHECK(parse_request("SET k v").status == Parser::Status::needs_more);
    CHECK(parse_request("SET k v\r").status == Parser::Status::needs_more);
}

TEST_CASE("an inline line longer than the limit is refused before its \\n arrives",
          "[ch03][ex03.10]")
{
    mini_redis::ParserLimits limits;
    limits.max_line_length = 16;
    CHECK(parse_request(std::string(16, 'a'), limits).status == Parser::Status::needs_more);
    const auto too_long = parse_request(std::string(17, 'a'), limits);
    CHECK(too_long.status == Parser::Status::error);
    CHECK(too_long.error == "too big inline request");
    CHECK(parse_request(std::string(15, 'a') + "\n", limits).status == Parser::Status::frame);
}

TEST_CASE("an inline command with unbalanced quotes is a protocol error", "[ch03][ex03.10]")
{
    const auto result = parse_request("SET k \"a b\r\n");
    CHECK(result.status == Parser::Status::error);
    CHECK(result.error == "unbalanced quotes in request");
}
