// Chapter 03: splitting inline commands as Redis does (exercise 03.4), without sockets.
#include "inline_command.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using mini_redis::split_inline;
using Words = std::vector<std::string>;
using namespace std::string_literals;

TEST_CASE("words are separated by runs of spaces and tabs", "[ch03][ex03.4]")
{
    CHECK(split_inline("SET key value") == Words{"SET", "key", "value"});
    CHECK(split_inline("  GET \t  key  ") == Words{"GET", "key"});
    CHECK(split_inline("PING") == Words{"PING"});
}

TEST_CASE("a blank line has no words", "[ch03][ex03.4]")
{
    CHECK(split_inline("") == Words{});
    CHECK(split_inline("   \t ") == Words{});
}

TEST_CASE("double quotes keep spaces and understand escapes", "[ch03][ex03.4]")
{
    CHECK(split_inline(R"(SET k "hello world")") == Words{"SET", "k", "hello world"});
    CHECK(split_inline(R"("a\nb\r\t\b\a")") == Words{"a\nb\r\t\b\a"});
    CHECK(split_inline(R"("\x41\x4a\x00z")") == Words{"AJ\0z"s});
    CHECK(split_inline(R"("\"quoted\" \\ \q")") == Words{R"("quoted" \ q)"});
    CHECK(split_inline(R"("\x4")") == Words{"x4"});  // not two hex digits: \x is just x
    CHECK(split_inline(R"("")") == Words{""});
}

TEST_CASE("single quotes keep everything but an escaped quote", "[ch03][ex03.4]")
{
    CHECK(split_inline(R"(ECHO 'it\'s \n raw')") == Words{"ECHO", R"(it's \n raw)"});
}

TEST_CASE("a quote may start in the middle of a word", "[ch03][ex03.4]")
{
    CHECK(split_inline(R"(a"b c" d)") == Words{"ab c", "d"});
}

TEST_CASE("unbalanced quotes and a quote glued to the next word are errors", "[ch03][ex03.4]")
{
    CHECK_FALSE(split_inline(R"(SET "a b)").has_value());
    CHECK_FALSE(split_inline(R"(SET 'a b)").has_value());
    CHECK_FALSE(split_inline(R"("a"b)").has_value());
    CHECK_FALSE(split_inline(R"('a'b)").has_value());
    CHECK_FALSE(split_inline(R"("ends with a backslash\)").has_value());
}
