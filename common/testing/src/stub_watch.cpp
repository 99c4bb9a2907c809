// Stopping a wait early at a stub: see stub_watch.hpp.
#include "mini_redis/testing/stub_watch.hpp"

#include "mini_redis/exercise.hpp"
#include "mini_redis/testing/log_capture.hpp"

#include <catch2/catch.hpp>  // with CATCH_CONFIG_EXTERNAL_INTERFACES (common/CMakeLists.txt)

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace mini_redis::testing {
namespace {

/// The stubs reached since the current test case began: their messages, each once.
struct Reached {
    std::atomic<bool> any{false};
    std::mutex mutex;  // guards messages
    std::vector<std::string> messages;
};

Reached& reached()
{
    static Reached instance;
    return instance;
}

/// The observer exercise_not_done calls, on whichever thread reached the stub.
void note(const exercise_not_done& stub)
{
    auto& state = reached();
    {
        const std::lock_guard lock(state.mutex);
        // Each stub once: a stub reached in a loop must not grow this without bound.
        if (std::find(state.messages.begin(), state.messages.end(), stub.what()) ==
            state.messages.end()) {
            state.messages.emplace_back(stub.what());
        }
    }
    state.any = true;
}

/// Watches for stubs from the start of the run, and forgets them as each test case starts, so a
/// stub one test reached does not cut short the waits of the next. When the environment
/// variable MINI_REDIS_STUB_REPORT names a file, appends to it, as each test case ends, a line
/// "<test name>\t<message>" for each stub it reached: the workbook reads from it which
/// exercises a failing test waits for, whether or not its failure message quotes them (a
/// failed CHECK on a reply says nothing of the stub that made the server close).
struct StubWatch : Catch::TestEventListenerBase {
    explicit StubWatch(const Catch::ReporterConfig& config) : TestEventListenerBase(config)
    {
        observe_stubs(&note);
    }

    void testCaseStarting(const Catch::TestCaseInfo& info) override
    {
        auto& state = reached();
        {
            const std::lock_guard lock(state.mutex);
            state.messages.clear();
        }
        state.any = false;
        TestEventListenerBase::testCaseStarting(info);
    }

    void testCaseEnded(const Catch::TestCaseStats& stats) override
    {
        const char* report = std::getenv("MINI_REDIS_STUB_REPORT");
        auto& state = reached();
        const std::lock_guard lock(state.mutex);
        if (report != nullptr && !state.messages.empty()) {
            std::ofstream out(report, std::ios::app);
            for (const auto& message : state.messages) {
                out << stats.testInfo.name << '\t' << message << '\n';
            }
        }
        TestEventListenerBase::testCaseEnded(stats);
    }
};

// A static object's constructor registers the listener. stub_reached() lives in this file, so
// every test binary that waits through the harness links it, and the listener with it.
CATCH_REGISTER_LISTENER(StubWatch)

}  // namespace

bool stub_reached()
{
    return reached().any.load();
}

std::string stubs_reached_messages()
{
    auto& state = reached();
    const std::lock_guard lock(state.mutex);
    std::string out;
    for (const auto& message : state.messages) {
        out += (out.empty() ? "" : "; ") + message;
    }
    return out;
}

std::string why_not(std::chrono::milliseconds limit)
{
    const auto log = recent_log();
    return (stub_reached()
                ? "as soon as the code under test reached a stub: " + stubs_reached_messages()
                : "within the hang guard's " + std::to_string(limit.count()) + " ms") +
           "; the in-process server's last log lines:\n" +
           (log.empty() ? std::string("(nothing logged)") : log);
}

}  // namespace mini_redis::testing
