// Stopping a wait early when the code under test has reached an exercise stub.
//
// On a starter (or with an exercise cut out for the bite check), a stub throws where the
// exercise's code would run. When that happens on a thread the test does not wait on (a session,
// the export coroutine), the test's wait for a reply, a span or a condition can only end at its
// hang guard, seconds later. The harness's waits ask stub_reached() instead, and fail at once,
// quoting the server's log, where the stub names its exercise. On a finished chapter no stub
// exists, so this never changes a verdict there.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace mini_redis::testing {

/// True when code in this process has reached an exercise stub since the current test case
/// began (a Catch2 listener watches from the start of the run, and forgets at each test case).
bool stub_reached();

/// What those stubs said ("exercise 01.1 is not done yet (book: ...)"), each once, joined by
/// "; "; empty when none was reached. Failure messages quote it: the workbook reads which
/// exercise a failing test waits for from them.
std::string stubs_reached_messages();

/// Why a harness wait ended without what it waited for, to end its failure message: at the hang
/// guard (`limit`) or at a stub; then the in-process server's last log lines, where a stub names
/// its exercise or an exception says what went wrong.
std::string why_not(std::chrono::milliseconds limit);

/// Waits on `changed` (with `lock` held) until `done()` is true (returns true), or until a stub
/// is reached or `limit` passes (returns false). A stub notifies no condition variable, so the
/// wait wakes every 10 ms to look.
template <typename Done>
bool wait_unless_stub(std::condition_variable& changed, std::unique_lock<std::mutex>& lock,
                      std::chrono::milliseconds limit, Done done)
{
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (stub_reached() || std::chrono::steady_clock::now() >= until) {
            return false;
        }
        changed.wait_for(lock, std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace mini_redis::testing
