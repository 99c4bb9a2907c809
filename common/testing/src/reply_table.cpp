// Checking a server against a table of replies: see reply_table.hpp.
#include "mini_redis/testing/reply_table.hpp"

#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

namespace mini_redis::testing {

void check_replies(unsigned short port, const std::vector<ReplyCase>& cases)
{
    for (const auto& c : cases) {
        INFO("case: " << c.name);
        CHECK(conversation(port, c.request) == c.replies);
    }
}

}  // namespace mini_redis::testing
