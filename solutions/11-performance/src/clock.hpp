// Where the server gets the time from, so tests can supply their own.
//
// Key expiry depends on "now". The server asks the steady clock; a test passes a function that
// returns a manual clock's time, and moves that clock forward instead of sleeping. Book: chapter
// 05, "An injected clock".
#pragma once

#include <chrono>
#include <functional>

namespace mini_redis {

/// A moment in time. Deadlines are stored as steady-clock time points: the steady clock never
/// jumps backwards when the system clock is adjusted, unlike std::chrono::system_clock.
using TimePoint = std::chrono::steady_clock::time_point;

/// A source of "now". Any function will do; see steady_now().
using Now = std::function<TimePoint()>;

/// The real time, from std::chrono::steady_clock. What the server uses.
inline TimePoint steady_now()
{
    return std::chrono::steady_clock::now();
}

}  // namespace mini_redis
