// Chapter 07 test helpers: the chapter's accept loop with options chosen by the test.
#pragma once

#include "db.hpp"
#include "server.hpp"

#include "mini_redis/testing/test_server.hpp"

namespace ch07_test {

/// serve(acceptor, db, options), in-process on a free port; on a fresh Db unless given one.
inline mini_redis::testing::TestServer server_with(mini_redis::ServerOptions options,
                                                   mini_redis::Db db = mini_redis::Db())
{
    return mini_redis::testing::TestServer([options, db](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), db, options);
    });
}

}  // namespace ch07_test
