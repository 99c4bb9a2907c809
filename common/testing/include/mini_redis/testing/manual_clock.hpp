// A clock that only moves when a test says so, and an Asio timer that runs on it.
//
// Key expiry takes its clock as a parameter: the server passes std::chrono::steady_clock; tests
// pass ManualClock and call advance() instead of sleeping, so a test of a one-hour expiry runs in
// microseconds and never flakes. (The accept back-off takes a sleep function instead,
// ServerOptions::sleep, which tests replace with one that records the wait.)
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>

#include <chrono>

namespace mini_redis::testing {

/// A steady clock whose now() is set by tests. Its state is process-wide (Asio timers need a
/// static now()), so tests that use it call reset() first. advance() may be called from any
/// thread; now() is safe to call concurrently with it.
struct ManualClock {
    using duration = std::chrono::steady_clock::duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<ManualClock>;
    static constexpr bool is_steady = true;

    /// The current manual time.
    static time_point now() noexcept;

    /// Moves time forward by `by`; timers whose expiry has passed fire within a millisecond.
    static void advance(duration by) noexcept;

    /// Back to the epoch (time zero).
    static void reset() noexcept;
};

/// Wait traits for timers on ManualClock. Asio turns "wait until t" into "sleep for t - now()"
/// in real time; with a manual clock that sleep could be a virtual hour. Capping each sleep at a
/// millisecond makes the timer look at the clock again soon after every advance().
struct ManualClockWaitTraits {
    static ManualClock::duration to_wait_duration(const ManualClock::duration& d);
    static ManualClock::duration to_wait_duration(const ManualClock::time_point& t);
};

/// An Asio timer driven by ManualClock.
using ManualTimer = boost::asio::basic_waitable_timer<ManualClock, ManualClockWaitTraits>;

}  // namespace mini_redis::testing
