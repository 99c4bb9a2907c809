// Runs a built server executable as a child process, the way a user would start it.
//
// Process-level tests (signals, exit codes, command-line flags) need the real binary. It is
// started with `--port 0`, so the kernel picks a free port, and the harness reads that port back
// from the server's start-up log line ("listening on 127.0.0.1:PORT"). RealRedis (real_redis.hpp)
// starts a real redis-server the same way. Every deadline below is stretched by hang_guard().
#pragma once

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mini_redis::testing {

class ServerProcess {
public:
    /// Starts `binary` (a path) with `args` (add "--port", "0" yourself) and waits, up to
    /// `deadline`, for output matching `ready_pattern`, whose first group (if any) is the port.
    /// Throws with the output so far if that does not appear. A process that writes it and then
    /// exits counts too: a test of a refusal at start-up waits for its message so.
    ServerProcess(const std::string& binary, std::vector<std::string> args,
                  std::chrono::milliseconds deadline = std::chrono::milliseconds(10000),
                  const std::string& ready_pattern = R"(listening on [^\s]*:(\d+))");

    /// Kills the process if it still runs.
    ~ServerProcess();

    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    /// The port from the ready line (0 if the pattern has no group).
    unsigned short port() const noexcept { return port_; }

    /// The process id, for a look at /proc/<pid> (its threads, say).
    pid_t pid() const noexcept { return pid_; }

    /// Sends `signal` (SIGINT, SIGTERM) to the process.
    void signal(int signal);

    /// Waits up to `deadline` for the process to exit and returns its exit status, or 128 + the
    /// signal number if a signal ended it (as a shell reports it). Throws at the deadline. After
    /// it returns, output() holds all the process wrote.
    int wait(std::chrono::milliseconds deadline = std::chrono::milliseconds(10000));

    /// Waits up to `deadline` for `text` to appear in the output; throws, quoting the output,
    /// if it does not.
    void wait_for_output(const std::string& text, std::chrono::milliseconds deadline);

    /// Everything the process wrote to stdout and stderr so far.
    std::string output() const;

    /// Stops reading the process's output and closes the pipe, as the reader of a shell
    /// pipeline does when it exits (`mini-redis-server | head -1`): the process's next write to
    /// stdout or stderr fails with EPIPE and raises SIGPIPE. output() keeps what came before.
    void close_output();

private:
    void kill_and_reap();

    pid_t pid_ = -1;
    int output_fd_ = -1;
    // close_output() writes to the stop pipe to wake the reader and end it. Both ends stay open
    // until the reader is joined: a write to a pipe whose reading end is closed would raise
    // SIGPIPE in the test binary (as when the server exits early, on an untouched starter).
    int stop_reading_fd_ = -1;
    int stop_listening_fd_ = -1;
    unsigned short port_ = 0;
    bool exited_ = false;
    int status_ = 0;
    mutable std::mutex mutex_;  // guards output_
    std::string output_;
    std::thread reader_;  // drains the pipe, so a chatty server never blocks on its log
};

}  // namespace mini_redis::testing
