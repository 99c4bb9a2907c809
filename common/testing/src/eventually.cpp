// Waiting for a condition with a deadline: see eventually.hpp.
#include "mini_redis/testing/eventually.hpp"

#include "mini_redis/testing/hang_guard.hpp"

#include <thread>

namespace mini_redis::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + hang_guard(deadline);
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace mini_redis::testing
