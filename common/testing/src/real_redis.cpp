// A real redis-server for tests: see real_redis.hpp.
#include "mini_redis/testing/real_redis.hpp"

#include "mini_redis/testing/free_port.hpp"
#include "mini_redis/testing/run_program.hpp"

#include <stdexcept>
#include <string>

namespace mini_redis::testing {

RealRedis::RealRedis()
{
    const std::string binary = find_on_path("redis-server");
    if (binary.empty()) {
        throw std::runtime_error(
            "redis-server is not installed; ./workbook test installs it (apt-get install "
            "redis-server)");
    }
    // redis-server cannot be given port 0 (to Redis that means "no TCP at all").
    port_ = free_port();
    process_ = std::make_unique<ServerProcess>(
        binary,
        std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",
                                 "", "--appendonly", "no", "--daemonize", "no"},
        std::chrono::milliseconds(10000), "Ready to accept connections");
}

}  // namespace mini_redis::testing
