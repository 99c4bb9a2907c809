// Chapter 07 test helpers: the chapter's accept loop with options chosen by the test.
#pragma once

#include "db.hpp"
#include "server.hpp"

#include "mini_redis/testing/test_server.hpp"

namespace ch07_test {

/// serve(acceptor, db, options) on a fresh Db, in-process on a free port.
inline mini_redis::testing::TestServer server_with(mini_redis::ServerOptions options)
{
    return mini_redis::testing::TestServer([options](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), mini_redis::Db(), options);
    });
}

}  // namespace ch07_test
