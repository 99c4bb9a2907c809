// A server executable as a child process: see server_process.hpp.
#include "mini_redis/testing/server_process.hpp"

#include "child_process.hpp"
#include "mini_redis/testing/hang_guard.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <regex>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace mini_redis::testing {

using Clock = std::chrono::steady_clock;

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args,
                             std::chrono::milliseconds deadline, const std::string& ready_pattern)
{
    args.insert(args.begin(), binary);
    const auto child = detail::spawn(args);
    ::close(child.input_fd);  // servers read no stdin
    pid_ = child.pid;
    output_fd_ = child.output_fd;
    int stop[2];
    if (::pipe2(stop, O_CLOEXEC) != 0) {
        kill_and_reap();
        throw std::runtime_error("pipe2 failed");
    }
    stop_listening_fd_ = stop[0];
    stop_reading_fd_ = stop[1];
    reader_ = std::thread([this, stop_fd = stop[0]] {
        pollfd fds[2] = {{output_fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
        char chunk[4096];
        for (;;) {
            if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
                break;
            }
            if (fds[1].revents != 0) {
                break;  // close_output()
            }
            if (fds[0].revents == 0) {
                continue;
            }
            const auto n = ::read(output_fd_, chunk, sizeof chunk);
            if (n <= 0) {
                break;  // the process closed its end: it exited
            }
            std::lock_guard lock(mutex_);
            output_.append(chunk, static_cast<std::size_t>(n));
        }
    });

    // Wait for the ready line. Polling the collected output is fine here: this is process
    // start-up, not time-based server behaviour, and it is bounded by the deadline.
    const std::regex ready(ready_pattern);
    const auto found_ready = [&] {
        std::smatch match;
        const auto text = output();
        if (!std::regex_search(text, match, ready)) {
            return false;
        }
        if (match.size() > 1 && match[1].matched) {
            port_ = static_cast<unsigned short>(std::stoi(match[1].str()));
        }
        return true;
    };
    deadline = hang_guard(deadline);
    const auto until = Clock::now() + deadline;
    while (Clock::now() < until) {
        if (found_ready()) {
            return;
        }
        if (const int status = detail::wait_exit(pid_, Clock::now()); status >= 0) {
            exited_ = true;
            status_ = status;
            // The process may have written the line and exited before the reader took it (on a
            // busy machine the reader lags): the reader ends at the end of the stream, so wait
            // for it and look at everything the process wrote once more.
            reader_.join();
            if (found_ready()) {
                return;
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool exited = exited_;
    kill_and_reap();
    if (exited) {
        throw std::runtime_error(
            fmt::format("{} exited with status {} before it was ready; its "
                        "output:\n{}",
                        binary, status_, output()));
    }
    throw std::runtime_error(fmt::format("{} did not get ready within {} ms; its output:\n{}",
                                         binary, deadline.count(), output()));
}

ServerProcess::~ServerProcess()
{
    kill_and_reap();
}

void ServerProcess::kill_and_reap()
{
    if (pid_ > 0 && !exited_) {
        ::kill(pid_, SIGKILL);
        status_ = detail::wait_exit(pid_, Clock::now() + std::chrono::seconds(10));
        exited_ = true;
    }
    if (reader_.joinable()) {
        reader_.join();  // the process is gone: the reader takes the rest of its output first
    }
    close_output();
    for (int* fd : {&stop_reading_fd_, &stop_listening_fd_}) {
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    }
}

void ServerProcess::close_output()
{
    if (reader_.joinable()) {
        const char wake = 0;
        (void)!::write(stop_reading_fd_, &wake, 1);  // a reader that already ended never reads it
        reader_.join();
    }
    if (output_fd_ >= 0) {
        ::close(output_fd_);
        output_fd_ = -1;
    }
}

void ServerProcess::signal(int signal)
{
    ::kill(pid_, signal);
}

int ServerProcess::wait(std::chrono::milliseconds deadline)
{
    if (!exited_) {
        deadline = hang_guard(deadline);
        const int status = detail::wait_exit(pid_, Clock::now() + deadline);
        if (status < 0) {
            throw std::runtime_error(
                fmt::format("the server process did not exit within {} ms; its output:\n{}",
                            deadline.count(), output()));
        }
        exited_ = true;
        status_ = status;
    }
    // The process is gone, so its end of the pipe is closed: let the reader take the last of
    // the output, so output() after wait() holds everything the process wrote.
    if (reader_.joinable()) {
        reader_.join();
    }
    return status_;
}

void ServerProcess::wait_for_output(const std::string& text, std::chrono::milliseconds deadline)
{
    deadline = hang_guard(deadline);
    const auto until = Clock::now() + deadline;
    while (output().find(text) == std::string::npos) {
        if (Clock::now() >= until) {
            throw std::runtime_error(
                fmt::format("the server did not print '{}' within {} ms; its "
                            "output:\n{}",
                            text, deadline.count(), output()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string ServerProcess::output() const
{
    std::lock_guard lock(mutex_);
    return output_;
}

}  // namespace mini_redis::testing
