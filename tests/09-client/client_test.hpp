// Chapter 09 test helpers: a server to talk to, ours or a real redis-server.
#pragma once

#include "server.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <memory>

namespace ch09_test {

/// This chapter's whole server, in process, on a free port.
inline std::unique_ptr<mini_redis::testing::TestServer> start_server()
{
    return std::make_unique<mini_redis::testing::TestServer>(
        [](mini_redis::tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

/// Runs `check(port)` twice, as two Catch2 sections: against this chapter's server and against a
/// real redis-server. The client must behave the same with both; a difference is a bug in ours.
template <typename Check>
void against_both_servers(Check check)
{
    SECTION("against this server")
    {
        auto server = start_server();
        check(server->port());
    }
    SECTION("against a real redis-server")
    {
        mini_redis::testing::RealRedis redis;
        check(redis.port());
    }
}

}  // namespace ch09_test
