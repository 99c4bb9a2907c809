// The manual test clock: see manual_clock.hpp.
#include "mini_redis/testing/manual_clock.hpp"

#include <algorithm>
#include <atomic>

namespace mini_redis::testing {
namespace {

std::atomic<ManualClock::rep> ticks{0};
constexpr ManualClock::duration max_real_wait = std::chrono::milliseconds(1);

}  // namespace

ManualClock::time_point ManualClock::now() noexcept
{
    return time_point(duration(ticks.load()));
}

void ManualClock::advance(duration by) noexcept
{
    ticks.fetch_add(by.count());
}

void ManualClock::reset() noexcept
{
    ticks.store(0);
}

ManualClock::duration ManualClockWaitTraits::to_wait_duration(const ManualClock::duration& d)
{
    return std::clamp(d, ManualClock::duration::zero(), max_real_wait);
}

ManualClock::duration ManualClockWaitTraits::to_wait_duration(const ManualClock::time_point& t)
{
    return to_wait_duration(t - ManualClock::now());
}

}  // namespace mini_redis::testing
