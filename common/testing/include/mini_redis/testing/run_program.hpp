// Runs a command-line program to completion, the way a user would from a shell: some input on
// stdin, its output collected, a deadline so a hung program fails the test instead of blocking.
// Tests use it for redis-cli and for the workbook's own command-line tools.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis::testing {

struct ProgramResult {
    int status = -1;     // exit status; 128 + N when signal N ended it
    std::string output;  // stdout and stderr, interleaved as written
};

/// Runs `argv` (argv[0] is a name found on PATH, or a path) with `input` on its stdin, waits for
/// it to exit and returns its status and output. Throws std::runtime_error, with the output so
/// far, if it has not exited within hang_guard(`deadline`) (it is killed then).
ProgramResult run_program(std::vector<std::string> argv, std::string_view input = {},
                          std::chrono::milliseconds deadline = std::chrono::milliseconds(20000));

/// The full path of `name` on PATH, or an empty string.
std::string find_on_path(std::string_view name);

}  // namespace mini_redis::testing
