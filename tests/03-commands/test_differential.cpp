// Chapter 03 against the reference: a real redis-server gets the same bytes as our server and
// must give the same replies. It runs the whole server, so it is tagged with the session's
// exercise; test_replies.cpp checks each group of the table under its own exercise.
#include "fixture.hpp"
#include "reply_cases.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch03_test::command_server;
using mini_redis::testing::conversation;
using mini_redis::testing::printable;
using mini_redis::testing::RealRedis;

TEST_CASE("our server and redis-server give the same bytes for every case in the table",
          "[ch03][ex03.7][redis]")
{
    RealRedis redis;
    auto ours = command_server();
    for (const auto& c : ch03_test::reply_cases()) {
        INFO("case: " << c.name);
        INFO("sent: \"" << printable(c.request) << '"');
        // Failures show both replies whole, as printable text with the escapes visible.
        const std::string from_redis = conversation(redis.port(), c.request);
        if (from_redis != c.replies) {  // the table is not Redis's behaviour (a new version?)
            FAIL_CHECK("redis-server replied \""
                       << printable(from_redis) << "\"\n  the table says \"" << printable(c.replies)
                       << '"');
        }
        const std::string from_ours = conversation(ours.port(), c.request);
        if (from_ours != from_redis) {
            FAIL_CHECK("our server replied \"" << printable(from_ours) << "\"\n  redis-server \""
                                               << printable(from_redis) << '"');
        }
    }
}
