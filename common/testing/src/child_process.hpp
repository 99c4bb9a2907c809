// Internal to the test harness: starting a program with its stdin and output on pipes, and
// waiting for it with a deadline. Used by ServerProcess and run_program.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace mini_redis::testing::detail {

struct Child {
    pid_t pid = -1;
    int input_fd = -1;   // write end of the child's stdin
    int output_fd = -1;  // read end of the child's stdout and stderr, merged
};

/// Starts argv[0] (a path) with the arguments that follow. Throws std::runtime_error if the
/// pipes or the fork fail; a program that cannot be executed exits with status 127.
Child spawn(const std::vector<std::string>& argv);

/// Waits until `pid` exits and returns its status as a shell reports it (128 + signal number
/// when a signal ended it), or -1 if it is still running at `until`.
int wait_exit(pid_t pid, std::chrono::steady_clock::time_point until);

}  // namespace mini_redis::testing::detail
