// Chapter 03 test fixture: the chapter's server, running in-process on a free port.
#pragma once

#include "server.hpp"

#include "mini_redis/testing/test_server.hpp"

namespace ch03_test {

/// The chapter's own serve() on an acceptor the harness opened.
inline mini_redis::testing::TestServer command_server()
{
    return mini_redis::testing::TestServer(
        [](mini_redis::tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

}  // namespace ch03_test
