// Chapter 02: the encoder, and round trips through encoder and parser. Exercise 02.6.
#include "feed.hpp"
#include "frame.hpp"

#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <string>

using mini_redis::encode;
using mini_redis::Frame;
using namespace std::string_literals;

TEST_CASE("every kind of frame encodes to its exact RESP2 bytes", "[ch02][ex02.6]")
{
    CHECK(encode(Frame::simple("OK")) == "+OK\r\n");
    CHECK(encode(Frame::error("ERR unknown command")) == "-ERR unknown command\r\n");
    CHECK(encode(Frame::integer(0)) == ":0\r\n");
    CHECK(encode(Frame::integer(-42)) == ":-42\r\n");
    CHECK(encode(Frame::integer(INT64_MIN)) == ":-9223372036854775808\r\n");
    CHECK(encode(Frame::bulk("hello")) == "$5\r\nhello\r\n");
    CHECK(encode(Frame::bulk("")) == "$0\r\n\r\n");
    CHECK(encode(Frame::bulk("a\r\n\0b"s)) == "$5\r\na\r\n\0b\r\n"s);
    CHECK(encode(Frame::null()) == "$-1\r\n");
    CHECK(encode(Frame::array({})) == "*0\r\n");
    CHECK(
        encode(Frame::array({Frame::bulk("subscribe"), Frame::bulk("news"), Frame::integer(1)})) ==
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
}

TEST_CASE("encode appends to what the buffer already holds", "[ch02][ex02.6]")
{
    std::string out = "+first\r\n";
    encode(Frame::integer(2), out);
    CHECK(out == "+first\r\n:2\r\n");
}

TEST_CASE("encoding then parsing gives back the same frames", "[ch02][ex02.6]")
{
    std::string binary;
    for (int b = 0; b < 256; ++b) {
        binary.push_back(static_cast<char>(b));
    }
    const std::vector<Frame> frames = {
        Frame::simple("PONG"),
        Frame::error("ERR x"),
        Frame::integer(INT64_MAX),
        Frame::bulk(binary),
        Frame::null(),
        Frame::array({Frame::array({Frame::bulk("deep"), Frame::array({})}), Frame::integer(-1)}),
    };
    std::string wire;
    for (const auto& frame : frames) {
        encode(frame, wire);
    }
    auto fed = ch02_test::feed_all_ways(wire);
    CHECK(fed.error.empty());
    CHECK(fed.frames == frames);
}
