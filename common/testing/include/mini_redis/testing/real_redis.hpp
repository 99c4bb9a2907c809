// A real redis-server for tests to compare against: the reference for every reply.
//
// The differential tests send the same bytes to it and to our server and expect the same bytes
// back. It runs on a free port, saves nothing to disk, and is stopped when the object goes.
#pragma once

#include "mini_redis/testing/server_process.hpp"

#include <memory>

namespace mini_redis::testing {

class RealRedis {
public:
    /// Starts redis-server (the Debian package; ./workbook test installs it) on a free port of
    /// 127.0.0.1 and waits until it accepts connections. Throws, saying how to install it, if
    /// redis-server is missing or does not start.
    RealRedis();

    unsigned short port() const noexcept { return port_; }

private:
    unsigned short port_ = 0;
    std::unique_ptr<ServerProcess> process_;
};

}  // namespace mini_redis::testing
