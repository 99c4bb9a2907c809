// Waiting for a condition with a deadline: see eventually.hpp.
#include "mini_redis/testing/eventually.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/stub_watch.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace mini_redis::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline)
{
    const auto limit = hang_guard(deadline);
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (stub_reached() || std::chrono::steady_clock::now() >= until) {
            // The assertion that reports this false comes next: give it the server's side.
            UNSCOPED_INFO("eventually(): still false, given up " << why_not(limit));
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace mini_redis::testing
