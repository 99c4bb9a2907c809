// Chapter 03 against the reference: a real redis-server gets the same bytes as our server and
// must give the same replies. Exercise 03.3.
#include "fixture.hpp"
#include "reply_cases.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using ch03_test::command_server;
using mini_redis::testing::conversation;
using mini_redis::testing::RealRedis;

TEST_CASE("our server and redis-server give the same bytes for every case in the table",
          "[ch03][ex03.3][redis]")
{
    RealRedis redis;
    auto ours = command_server();
    for (const auto& c : ch03_test::reply_cases()) {
        INFO("case: " << c.name);
        const std::string from_redis = conversation(redis.port(), c.request);
        CHECK(from_redis == c.replies);  // the table really is Redis's behaviour
        CHECK(conversation(ours.port(), c.request) == from_redis);
    }
}
