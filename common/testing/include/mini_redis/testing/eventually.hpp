// Waiting, with a deadline, for something a background thread or coroutine will make true.
//
// Tests of time-based behaviour move a manual clock instead of sleeping; the server's background
// task then reacts on its own thread. eventually() waits for that reaction, and fails the test
// (returns false) if it does not come within the deadline, so a bug is a failure, not a hang.
#pragma once

#include <chrono>
#include <functional>

namespace mini_redis::testing {

/// Calls `condition` every millisecond until it is true (returns true), or until
/// hang_guard(deadline) passes or the code under test reaches an exercise stub (stub_watch.hpp):
/// then returns false, and attaches the in-process server's last log lines to the test's next
/// assertion, so `REQUIRE(eventually(...))` shows them. `condition` runs on the calling thread and
/// must be thread-safe with respect to whatever it looks at.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));

}  // namespace mini_redis::testing
