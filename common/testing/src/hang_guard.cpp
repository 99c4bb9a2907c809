// The harness's deadline factor: see hang_guard.hpp.
#include "mini_redis/testing/hang_guard.hpp"

#include <cstdlib>
#include <string>

#ifndef MINI_REDIS_TEST_TIME_SCALE
#define MINI_REDIS_TEST_TIME_SCALE 1
#endif

namespace mini_redis::testing {

double time_scale()
{
    static const double scale = [] {
        if (const char* text = std::getenv("MINI_REDIS_TEST_TIME_SCALE")) {
            try {
                if (const double value = std::stod(text); value >= 1) {
                    return value;
                }
            } catch (const std::exception&) {
                // Not a number: keep the build's default.
            }
        }
        return static_cast<double>(MINI_REDIS_TEST_TIME_SCALE);
    }();
    return scale;
}

std::chrono::milliseconds hang_guard(std::chrono::milliseconds nominal)
{
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
        static_cast<double>(nominal.count()) * time_scale()));
}

}  // namespace mini_redis::testing
