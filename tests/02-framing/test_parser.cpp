// Chapter 02: the RESP parser, fed bytes directly (no sockets). Exercises 02.1 to 02.5.
#include "feed.hpp"
#include "parser.hpp"

#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch02_test::feed;
using ch02_test::feed_all_ways;
using mini_redis::Frame;
using mini_redis::Parser;
using mini_redis::ParserLimits;

using namespace std::string_literals;

// --- exercise 02.4: one item, by its type byte -----------------------------------------------

TEST_CASE("simple strings, errors and integers parse from their lines", "[ch02][ex02.4]")
{
    auto fed = feed_all_ways("+OK\r\n-ERR no\r\n:42\r\n:-9223372036854775808\r\n");
    REQUIRE(fed.error.empty());
    CHECK(fed.frames == std::vector{Frame::simple("OK"), Frame::error("ERR no"), Frame::integer(42),
                                    Frame::integer(INT64_MIN)});
}

TEST_CASE("integers are signed 64-bit: one past the range is an error, not a wrapped number",
          "[ch02][ex02.4]")
{
    CHECK(feed_all_ways(":9223372036854775807\r\n").frames ==
          std::vector{Frame::integer(INT64_MAX)});
    CHECK(feed_all_ways(":9223372036854775808\r\n").error == "invalid integer");
    CHECK(feed_all_ways(":12a\r\n").error == "invalid integer");
    CHECK(feed_all_ways(":\r\n").error == "invalid integer");
}

TEST_CASE("a number has one spelling: no sign but '-', no leading zero, no space", "[ch02][ex02.4]")
{
    // As strict as Redis's reading of lengths: each of these is refused there too.
    CHECK(feed_all_ways(":0\r\n").frames == std::vector{Frame::integer(0)});
    for (const std::string number : {"+5", "05", "-05", "-0", "00", " 5", "5 ", "-"}) {
        INFO(number);
        CHECK(feed_all_ways(":" + number + "\r\n").error == "invalid integer");
        CHECK(feed_all_ways("*" + number + "\r\n").error == "invalid multibulk length");
    }
}

TEST_CASE("a bulk length has one spelling too", "[ch02][ex02.5]")
{
    for (const std::string number : {"+5", "05", "-05", "-0", "00", " 5", "5 ", "-"}) {
        INFO(number);
        CHECK(feed_all_ways("$" + number + "\r\n").error == "invalid bulk length");
    }
}

TEST_CASE("an unknown type byte is a protocol error", "[ch02][ex02.4]")
{
    CHECK(feed_all_ways("!oops\r\n").error == "invalid frame type byte '!'");
    CHECK(feed_all_ways("*1\r\n#t\r\n").error == "invalid frame type byte '#'");
}

TEST_CASE("null and empty arrays are whole frames at once, inside arrays too", "[ch02][ex02.4]")
{
    // *0 and *-1 open nothing: no element will ever come to fill them.
    auto fed = feed_all_ways("*0\r\n*-1\r\n*3\r\n*0\r\n*-1\r\n:5\r\n+after\r\n");
    REQUIRE(fed.error.empty());
    CHECK(fed.frames ==
          std::vector{Frame::array({}), Frame::null(),
                      Frame::array({Frame::array({}), Frame::null(), Frame::integer(5)}),
                      Frame::simple("after")});
    CHECK(fed.left_over == 0);
}

TEST_CASE("an array header alone is not a frame: its elements are awaited", "[ch02][ex02.4]")
{
    auto fed = feed_all_ways("*2\r\n+one\r\n");
    CHECK(fed.error.empty());
    CHECK(fed.frames.empty());
    CHECK(fed.left_over == 10);
}

TEST_CASE("malformed array lengths are protocol errors", "[ch02][ex02.4]")
{
    CHECK(feed_all_ways("*abc\r\n").error == "invalid multibulk length");
    CHECK(feed_all_ways("*-2\r\n").error == "invalid multibulk length");
    CHECK(feed_all_ways("*99999999999\r\n").error == "invalid multibulk length");
    ParserLimits limits;
    limits.max_array_length = 3;
    CHECK(feed("*4\r\n", 1, limits).error == "invalid multibulk length");
    CHECK(feed("*3\r\n:1\r\n:2\r\n:3\r\n", 1, limits).frames.size() == 1);
}

// --- exercise 02.1: the first pass, resumable --------------------------------------------------

TEST_CASE("a line longer than the limit is an error even before its end arrives", "[ch02][ex02.1]")
{
    ParserLimits limits;
    limits.max_line_length = 16;
    CHECK(feed("+" + std::string(100, 'a'), 1, limits).error == "line too long");
    CHECK(feed("+" + std::string(17, 'a') + "\r\n", 1, limits).error == "line too long");
    CHECK(feed("+" + std::string(16, 'a') + "\r\n", 1, limits).frames.size() == 1);
}

TEST_CASE("an incomplete frame asks for more and consumes nothing", "[ch02][ex02.1]")
{
    Parser parser;
    auto result = parser.parse("+PON");
    CHECK(result.status == Parser::Status::needs_more);
    CHECK(result.consumed == 0);
    result = parser.parse("*2\r\n:1\r\n");
    CHECK(result.status == Parser::Status::needs_more);
    CHECK(result.consumed == 0);
}

TEST_CASE("a frame that arrives in pieces is answered once, with every byte it used",
          "[ch02][ex02.1]")
{
    // The caller passes the same bytes again, with more appended, until the frame is whole.
    Parser parser;
    const std::string frame = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
    for (std::size_t size = 0; size < frame.size(); ++size) {
        INFO("the first " << size << " bytes: " << ch02_test::show_pieces(frame, 1000, size));
        REQUIRE(parser.parse(std::string_view(frame).substr(0, size)).status ==
                Parser::Status::needs_more);
    }
    auto result = parser.parse(frame + "+next\r\n");
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.frame == Frame::array({Frame::bulk("GET"), Frame::bulk("key")}));
    CHECK(result.consumed == frame.size());
}

// --- exercise 02.5: bulk strings -------------------------------------------------------------

TEST_CASE("bulk strings parse, empty and binary ones included", "[ch02][ex02.5]")
{
    auto fed = feed_all_ways("$5\r\nhello\r\n$0\r\n\r\n$6\r\na\r\nb\0c\r\n"s);
    REQUIRE(fed.error.empty());
    CHECK(fed.frames ==
          std::vector{Frame::bulk("hello"), Frame::bulk(""), Frame::bulk("a\r\nb\0c"s)});
    CHECK(fed.left_over == 0);
}

TEST_CASE("$-1 is the null bulk string", "[ch02][ex02.5]")
{
    CHECK(feed_all_ways("$-1\r\n").frames == std::vector{Frame::null()});
}

TEST_CASE("a bulk string reports the bytes it used, so the next frame starts right after",
          "[ch02][ex02.5]")
{
    Parser parser;
    auto result = parser.parse("$3\r\nabc\r\n+next\r\n");
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.frame == Frame::bulk("abc"));
    CHECK(result.consumed == 9);
}

TEST_CASE("malformed bulk lengths are protocol errors", "[ch02][ex02.5]")
{
    // The frame validation test of mini-redis: a length of -2 is invalid.
    CHECK(feed_all_ways("$-2\r\n").error == "invalid bulk length");
    CHECK(feed_all_ways("$abc\r\n").error == "invalid bulk length");
    CHECK(feed_all_ways("$\r\n").error == "invalid bulk length");
    CHECK(feed_all_ways("$+3\r\nabc\r\n").error == "invalid bulk length");
    CHECK(feed_all_ways("$99999999999999999999\r\n").error == "invalid bulk length");
}

TEST_CASE("a bulk string over the length limit is refused as soon as its header arrives",
          "[ch02][ex02.5]")
{
    CHECK(feed("$536870913\r\n", 1).error == "invalid bulk length");  // 512 MiB + 1
    ParserLimits limits;
    limits.max_bulk_length = 10;
    CHECK(feed("$11\r\n", 1, limits).error == "invalid bulk length");
    CHECK(feed("$10\r\n0123456789\r\n", 1, limits).frames.size() == 1);
}

TEST_CASE("a bulk string whose data is not followed by \\r\\n is an error", "[ch02][ex02.5]")
{
    CHECK(!feed_all_ways("$3\r\nabcXY").error.empty());
}

TEST_CASE("a huge claimed length costs nothing until its bytes arrive", "[ch02][ex02.5]")
{
    // A peer claims 2^60 bytes and sends 10. The parser must wait for the rest; reserving or
    // allocating what the header claims would throw std::bad_alloc or std::length_error here.
    ParserLimits limits;
    limits.max_bulk_length = INT64_MAX;
    Parser parser(limits);
    const std::string input = "$1152921504606846976\r\n0123456789";
    for (int i = 0; i < 3; ++i) {
        CHECK(parser.parse(input).status == Parser::Status::needs_more);
    }
}

// --- exercise 02.2: counting elements against the open arrays ---------------------------------

TEST_CASE("an array ends with its last element, however many arrays that element closes",
          "[ch02][ex02.2]")
{
    // :3 finishes the innermost array, which finishes the one around it, which finishes the
    // outermost: one item closes three arrays. The frame ends there, and +next is the next one.
    Parser parser;
    const std::string frame = "*2\r\n:1\r\n*1\r\n*2\r\n:2\r\n:3\r\n";
    auto result = parser.parse(frame + "+next\r\n");
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.frame ==
          Frame::array({Frame::integer(1),
                        Frame::array({Frame::array({Frame::integer(2), Frame::integer(3)})})}));
    CHECK(result.consumed == frame.size());
}

TEST_CASE("an array whose inner array is full still waits for its own elements", "[ch02][ex02.2]")
{
    auto fed = feed_all_ways("*3\r\n*1\r\n:1\r\n*2\r\n:2\r\n:3\r\n+x\r\n:4\r\n");
    REQUIRE(fed.error.empty());
    CHECK(fed.frames ==
          std::vector{Frame::array({Frame::array({Frame::integer(1)}),
                                    Frame::array({Frame::integer(2), Frame::integer(3)}),
                                    Frame::simple("x")}),
                      Frame::integer(4)});
}

// --- exercise 02.3: building arrays ----------------------------------------------------------

TEST_CASE("arrays parse, nested, empty and null ones included", "[ch02][ex02.3]")
{
    auto fed = feed_all_ways(
        "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
        "*3\r\n:1\r\n*2\r\n+a\r\n-b\r\n$-1\r\n"
        "*0\r\n"
        "*-1\r\n");
    REQUIRE(fed.error.empty());
    CHECK(fed.frames ==
          std::vector{
              Frame::array({Frame::bulk("GET"), Frame::bulk("key")}),
              Frame::array({Frame::integer(1),
                            Frame::array({Frame::simple("a"), Frame::error("b")}), Frame::null()}),
              Frame::array({}),
              Frame::null(),
          });
}

TEST_CASE("two frames in one buffer come out one after the other", "[ch02][ex02.1]")
{
    // The question mini-redis users asked most: a single read that holds two commands.
    Parser parser;
    std::string buffer = "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
    auto first = parser.parse(buffer);
    REQUIRE(first.status == Parser::Status::frame);
    CHECK(first.frame == Frame::array({Frame::bulk("PING")}));
    buffer.erase(0, first.consumed);
    auto second = parser.parse(buffer);
    REQUIRE(second.status == Parser::Status::frame);
    CHECK(second.frame == Frame::array({Frame::bulk("ECHO"), Frame::bulk("hi")}));
    CHECK(second.consumed == buffer.size());
}

TEST_CASE("a thousand pipelined commands fed a byte at a time all arrive, in order",
          "[ch02][ex02.1]")
{
    std::string input;
    std::vector<Frame> expected;
    for (int i = 0; i < 1000; ++i) {
        const auto key = "key:" + std::to_string(i);
        input += "*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
        expected.push_back(Frame::array({Frame::bulk("GET"), Frame::bulk(key)}));
    }
    auto fed = feed(input, 1);
    CHECK(fed.error.empty());
    CHECK(fed.frames == expected);
}

TEST_CASE("nesting deeper than the limit is an error, not a stack overflow", "[ch02][ex02.1]")
{
    std::string deep;
    for (int i = 0; i < 100000; ++i) {
        deep += "*1\r\n";
    }
    CHECK(feed(deep, deep.size()).error == "too deeply nested arrays");

    ParserLimits limits;
    limits.max_depth = 3;
    CHECK(feed("*1\r\n*1\r\n*1\r\n:1\r\n", 1, limits).frames.size() == 1);
    CHECK(feed("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", 1, limits).error == "too deeply nested arrays");
}

TEST_CASE("an error inside an array is reported, and the parser starts afresh after it",
          "[ch02][ex02.1]")
{
    Parser parser;
    CHECK(parser.parse("*2\r\n:1\r\n$-5\r\n").status == Parser::Status::error);
    auto result = parser.parse("*1\r\n:7\r\n");
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.frame == Frame::array({Frame::integer(7)}));
}
