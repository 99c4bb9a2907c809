// Chapter 11 test helpers: the complete accept loop in-process, and a check that it serves.
#pragma once

#include "db.hpp"
#include "server.hpp"
#include "shutdown.hpp"

#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <utility>

namespace ch11_test {

/// serve(acceptor, db, options, shutdown), in-process on a free port: until `shutdown` is
/// requested, or the test server stops.
inline mini_redis::testing::TestServer server_with(mini_redis::ServerOptions options = {},
                                                   mini_redis::Db db = mini_redis::Db(),
                                                   mini_redis::Shutdown shutdown = {})
{
    return mini_redis::testing::TestServer(
        [options, db, shutdown](mini_redis::tcp::acceptor acceptor) {
            return mini_redis::serve(std::move(acceptor), db, options, shutdown);
        });
}

/// True once a client connected now is answered a PING. With the test server's one thread, the
/// accept loop has then handled every earlier connection; with max_connections 1, the slot of
/// the previous client is free again.
inline bool newcomer_is_served(unsigned short port)
{
    mini_redis::testing::TestClient newcomer(port);
    newcomer.send("PING\r\n");
    return newcomer.read_reply() == "+PONG\r\n";
}

}  // namespace ch11_test
