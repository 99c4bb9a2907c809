// Keeps the most recent log lines of the in-process server, so a failing test can show them.
//
// When an exercise is not done, the server logs "exercise NN.K is not done yet ..." and closes
// the connection; the test client then fails with a message that quotes these lines, and the
// learner reads which exercise to do next right in the test report.
#pragma once

#include <string>

namespace mini_redis::testing {

/// Installs (once per process) a default spdlog logger that writes to stderr and keeps the last
/// lines in memory. Safe to call from any thread, any number of times.
void install_log_capture();

/// Forgets the captured lines; each TestServer starts with a clean slate, so a failure quotes
/// only what its own server logged.
void clear_log();

/// The last captured lines (at most 20), oldest first; empty when nothing was logged.
std::string recent_log();

}  // namespace mini_redis::testing
