// Running a program to completion: see run_program.hpp.
#include "mini_redis/testing/run_program.hpp"

#include "child_process.hpp"
#include "mini_redis/testing/hang_guard.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mini_redis::testing {

using Clock = std::chrono::steady_clock;

std::string find_on_path(std::string_view name)
{
    if (name.find('/') != std::string_view::npos) {
        return std::string(name);
    }
    const char* path = std::getenv("PATH");
    std::string_view rest = path ? path : "/usr/bin:/bin";
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const auto candidate = fmt::format("{}/{}", rest.substr(0, colon), name);
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    }
    return {};
}

ProgramResult run_program(std::vector<std::string> argv, std::string_view input,
                          std::chrono::milliseconds deadline)
{
    const std::string path = find_on_path(argv.at(0));
    if (path.empty()) {
        throw std::runtime_error(fmt::format("{} is not installed (not found on PATH)", argv[0]));
    }
    argv[0] = path;
    const auto child = detail::spawn(argv);
    deadline = hang_guard(deadline);
    const auto until = Clock::now() + deadline;

    // Feed stdin on a thread while this one reads the output: a program that writes a lot
    // before it has read all its input would otherwise block us both.
    std::thread feeder([fd = child.input_fd, input] {
        std::signal(SIGPIPE, SIG_IGN);  // a program that exits early must not kill the test
        std::size_t written = 0;
        while (written < input.size()) {
            const auto n = ::write(fd, input.data() + written, input.size() - written);
            if (n <= 0) {
                break;
            }
            written += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });

    ProgramResult result;
    char chunk[4096];
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        pollfd poll_fd{child.output_fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) == 0) {
            ::kill(child.pid, SIGKILL);
            detail::wait_exit(child.pid, Clock::now() + std::chrono::seconds(5));
            feeder.join();
            ::close(child.output_fd);
            throw std::runtime_error(fmt::format("{} did not finish within {} ms; its output:\n{}",
                                                 argv[0], deadline.count(), result.output));
        }
        const auto n = ::read(child.output_fd, chunk, sizeof chunk);
        if (n <= 0) {
            break;  // the program closed its output: it is exiting
        }
        result.output.append(chunk, static_cast<std::size_t>(n));
    }
    feeder.join();
    ::close(child.output_fd);
    result.status = detail::wait_exit(child.pid, until + std::chrono::seconds(5));
    return result;
}

}  // namespace mini_redis::testing
