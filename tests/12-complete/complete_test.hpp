// Chapter 12 test helpers: the finished mini-redis-server, started as a user starts it.
#pragma once

#include "mini_redis/testing/server_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ch12_test {

/// mini-redis-server started as a process on a free port (`--port 0`), with `args` added.
/// The harness reads the port from its "listening on" line; the process is killed at the end
/// of the test if it still runs.
inline std::unique_ptr<mini_redis::testing::ServerProcess> start_server(
    std::vector<std::string> args = {})
{
    args.insert(args.begin(), {"--port", "0"});
    return std::make_unique<mini_redis::testing::ServerProcess>(MINI_REDIS_SERVER_BINARY, args);
}

}  // namespace ch12_test
