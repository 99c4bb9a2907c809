// How long the harness waits before it calls a wait a hang.
//
// Every deadline in the harness (TestClient's calls, eventually(), block_on(), ServerProcess,
// run_program()) guards against a hang; none is what a test measures. A test must pass or fail
// the same way on a fast machine and on one four times slower, so each deadline is stretched by
// one factor: sanitizer builds run the code several times slower, so their presets set a larger
// one (MINI_REDIS_TEST_TIME_SCALE in CMakePresets.json), and the environment variable of the
// same name overrides it for a run on an unusually slow machine.
#pragma once

#include <chrono>

namespace mini_redis::testing {

/// The factor every harness deadline is multiplied by: the environment variable
/// MINI_REDIS_TEST_TIME_SCALE if it holds a number >= 1, else the build's default (1, or what
/// the preset sets).
double time_scale();

/// `nominal` (what the wait would need on an idle, unsanitized build, with a wide margin)
/// stretched by time_scale().
std::chrono::milliseconds hang_guard(std::chrono::milliseconds nominal);

}  // namespace mini_redis::testing
