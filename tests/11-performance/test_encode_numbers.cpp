// Chapter 11: the encoder's numbers, written with std::to_chars instead of a format string
// (exercise 11.2), and a message push written without a Frame (11.4).
#include "frame.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using mini_redis::encode;
using mini_redis::Frame;

TEST_CASE("integers encode in decimal across the whole range", "[ch11][ex11.2]")
{
    CHECK(encode(Frame::integer(0)) == ":0\r\n");
    CHECK(encode(Frame::integer(7)) == ":7\r\n");
    CHECK(encode(Frame::integer(-1)) == ":-1\r\n");
    CHECK(encode(Frame::integer(1000000)) == ":1000000\r\n");
    CHECK(encode(Frame::integer(std::numeric_limits<std::int64_t>::max())) ==
          ":9223372036854775807\r\n");
    CHECK(encode(Frame::integer(std::numeric_limits<std::int64_t>::min())) ==
          ":-9223372036854775808\r\n");
}

TEST_CASE("bulk and array headers carry their lengths, at every number of digits", "[ch11][ex11.2]")
{
    for (std::size_t length : {0, 1, 9, 10, 99, 100, 12345}) {
        const std::string bytes(length, 'x');
        CHECK(encode(Frame::bulk(bytes)) == "$" + std::to_string(length) + "\r\n" + bytes + "\r\n");
    }
    std::vector<Frame> items(11, Frame::integer(1));
    std::string expected = "*11\r\n";
    for (int i = 0; i < 11; ++i) {
        expected += ":1\r\n";
    }
    CHECK(encode(Frame::array(items)) == expected);
}

TEST_CASE("a header is appended after what the buffer holds", "[ch11][ex11.2]")
{
    std::string out = "+OK\r\n";
    encode(Frame::integer(-12), out);
    encode(Frame::bulk("ab"), out);
    CHECK(out == "+OK\r\n:-12\r\n$2\r\nab\r\n");
}

TEST_CASE("a published message's push is the same bytes as its frame's encoding", "[ch11][ex11.4]")
{
    const std::string message(300, 'm');
    CHECK(
        mini_redis::message_push("news", message) ==
        encode(Frame::array({Frame::bulk("message"), Frame::bulk("news"), Frame::bulk(message)})));
    CHECK(mini_redis::message_push("", "") == "*3\r\n$7\r\nmessage\r\n$0\r\n\r\n$0\r\n\r\n");
}
