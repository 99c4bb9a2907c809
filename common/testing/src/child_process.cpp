// Child processes for the test harness: see child_process.hpp.
#include "child_process.hpp"

#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mini_redis::testing::detail {

Child spawn(const std::vector<std::string>& argv)
{
    int input[2];
    int output[2];
    if (::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        // The child: pipes onto stdin, stdout and stderr, then become the program.
        ::dup2(input[0], STDIN_FILENO);
        ::dup2(output[1], STDOUT_FILENO);
        ::dup2(output[1], STDERR_FILENO);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(input[0]);
    ::close(output[1]);
    return Child{pid, input[1], output[0]};
}

int wait_exit(pid_t pid, std::chrono::steady_clock::time_point until)
{
    for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() >= until) {
            return -1;
        }
        // Process exit has no file descriptor to wait on; polling briefly, with a deadline,
        // is the plain way. This waits for a process, not for time-based server behaviour.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

}  // namespace mini_redis::testing::detail
