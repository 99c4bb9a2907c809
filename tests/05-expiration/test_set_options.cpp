// Chapter 05: SET's EX and PX options and Redis's errors for them (exercise 05.1), checked
// without sockets and, byte for byte, against a real redis-server.
#include "command.hpp"
#include "server.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/reply_table.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using mini_redis::Command;
using mini_redis::Frame;
using mini_redis::parse_command;
using mini_redis::testing::ReplyCase;
using namespace std::chrono_literals;

namespace {

Command set_with(std::initializer_list<std::string> options)
{
    Frame::Array items{Frame::bulk("SET"), Frame::bulk("k"), Frame::bulk("v")};
    for (const auto& option : options) {
        items.push_back(Frame::bulk(option));
    }
    return parse_command(Frame::array(std::move(items)));
}

std::string error_of(const Command& command)
{
    const auto* invalid = std::get_if<mini_redis::Invalid>(&command);
    return invalid ? invalid->error : "(not an error)";
}

/// SET's option errors as Redis 7 words them. Keys are the chapter's own.
const std::vector<ReplyCase>& option_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"EX 0", "SET c05:k v EX 0\r\n", "-ERR invalid expire time in 'set' command\r\n"},
        {"EX -1", "SET c05:k v EX -1\r\n", "-ERR invalid expire time in 'set' command\r\n"},
        {"PX 0", "SET c05:k v PX 0\r\n", "-ERR invalid expire time in 'set' command\r\n"},
        {"EX that overflows in milliseconds", "SET c05:k v EX 9223372036854775807\r\n",
         "-ERR invalid expire time in 'set' command\r\n"},
        {"EX just past Redis's clock", "SET c05:k v EX 9223372036854775\r\n",
         "-ERR invalid expire time in 'set' command\r\n"},
        {"PX at the limit of a 64-bit integer", "SET c05:k v PX 9223372036854775807\r\n",
         "-ERR invalid expire time in 'set' command\r\n"},
        {"EX abc", "SET c05:k v EX abc\r\n", "-ERR value is not an integer or out of range\r\n"},
        {"EX 1.5", "SET c05:k v EX 1.5\r\n", "-ERR value is not an integer or out of range\r\n"},
        {"EX +5", "SET c05:k v EX +5\r\n", "-ERR value is not an integer or out of range\r\n"},
        {"EX 007", "SET c05:k v EX 007\r\n", "-ERR value is not an integer or out of range\r\n"},
        {"EX without a number", "SET c05:k v EX\r\n", "-ERR syntax error\r\n"},
        {"an unknown option", "SET c05:k v FOO\r\n", "-ERR syntax error\r\n"},
        {"EX and PX together", "SET c05:k v EX 10 PX 10\r\n", "-ERR syntax error\r\n"},
        {"EX twice: the last one counts", "SET c05:tw v EX 10 EX 20\r\nSET c05:tw v PX 5 PX 9\r\n",
         "+OK\r\n+OK\r\n"},
        {"a bad number in an earlier EX is never read", "SET c05:k v EX abc EX 10\r\n", "+OK\r\n"},
        {"syntax is checked before the number", "SET c05:k v EX abc PX 5\r\n",
         "-ERR syntax error\r\n"},
        {"options in lower case", "SET c05:lc v ex 100\r\nGET c05:lc\r\nSET c05:lc v px 100000\r\n",
         "+OK\r\n$1\r\nv\r\n+OK\r\n"},
        {"a huge but valid expiry", "SET c05:far v EX 9223372036854\r\nGET c05:far\r\n",
         "+OK\r\n$1\r\nv\r\n"},
    };
    return cases;
}

}  // namespace

TEST_CASE("SET parses EX seconds and PX milliseconds, in any case", "[ch05][ex05.1]")
{
    using mini_redis::Set;
    CHECK(set_with({}) == Command{Set{"k", "v", std::nullopt}});
    CHECK(set_with({"EX", "10"}) == Command{Set{"k", "v", 10000ms}});
    CHECK(set_with({"px", "250"}) == Command{Set{"k", "v", 250ms}});
    CHECK(set_with({"Ex", "1"}) == Command{Set{"k", "v", 1000ms}});
    CHECK(set_with({"EX", "1", "ex", "2"}) == Command{Set{"k", "v", 2000ms}});
}

TEST_CASE("SET's option mistakes get Redis's errors", "[ch05][ex05.1]")
{
    CHECK(error_of(set_with({"EX", "0"})) == "ERR invalid expire time in 'set' command");
    CHECK(error_of(set_with({"EX", "abc"})) == "ERR value is not an integer or out of range");
    CHECK(error_of(set_with({"EX"})) == "ERR syntax error");
    CHECK(error_of(set_with({"NX"})) == "ERR syntax error");
}

TEST_CASE("our server answers SET's options byte for byte as the table says", "[ch05][ex05.1]")
{
    mini_redis::testing::TestServer server(
        [](mini_redis::tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
    mini_redis::testing::check_replies(server.port(), option_cases());
}

TEST_CASE("redis-server answers SET's options exactly as the table says", "[ch05][redis]")
{
    mini_redis::testing::RealRedis redis;
    mini_redis::testing::check_replies(redis.port(), option_cases());
}
