// Waiting for a condition with a deadline: see eventually.hpp.
#include "mini_redis/testing/eventually.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/log_capture.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace mini_redis::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + hang_guard(deadline);
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= until) {
            // The assertion that reports this false comes next: give it the server's side of
            // the story, where a stub names its exercise or an exception says what went wrong.
            const auto log = recent_log();
            UNSCOPED_INFO(
                "eventually(): still false after the hang guard's "
                << std::chrono::duration_cast<std::chrono::milliseconds>(hang_guard(deadline))
                       .count()
                << " ms; the in-process server's last log lines:\n"
                << (log.empty() ? std::string("(nothing logged)") : log));
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace mini_redis::testing
