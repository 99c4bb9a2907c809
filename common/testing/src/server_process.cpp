// A server executable as a child process: see server_process.hpp.
#include "mini_redis/testing/server_process.hpp"

#include <fmt/format.h>

#include <csignal>
#include <regex>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mini_redis::testing {

using Clock = std::chrono::steady_clock;

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args,
                             std::chrono::milliseconds deadline)
{
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        // The child: stdout and stderr into the pipe, then become the server.
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    output_fd_ = pipe_fds[0];
    reader_ = std::thread([this] {
        char chunk[4096];
        for (;;) {
            const auto n = ::read(output_fd_, chunk, sizeof chunk);
            if (n <= 0) {
                return;  // the process closed its end: it exited
            }
            std::lock_guard lock(mutex_);
            output_.append(chunk, static_cast<std::size_t>(n));
        }
    });

    // Wait for the start-up line. Polling the collected output is fine here: this is process
    // start-up, not time-based server behaviour, and it is bounded by the deadline.
    static const std::regex listening(R"(listening on [^\s]*:(\d+))");
    const auto until = Clock::now() + deadline;
    while (Clock::now() < until) {
        std::smatch match;
        const auto text = output();
        if (std::regex_search(text, match, listening)) {
            port_ = static_cast<unsigned short>(std::stoi(match[1].str()));
            return;
        }
        if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
            exited_ = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto text = output();
    kill_and_reap();
    throw std::runtime_error(
        fmt::format("{} did not report 'listening on ...' in time; its output:\n{}", binary, text));
}

ServerProcess::~ServerProcess() { kill_and_reap(); }

void ServerProcess::kill_and_reap()
{
    if (pid_ > 0 && !exited_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        exited_ = true;
    }
    if (reader_.joinable()) {
        reader_.join();
    }
    if (output_fd_ >= 0) {
        ::close(output_fd_);
        output_fd_ = -1;
    }
}

void ServerProcess::signal(int signal) { ::kill(pid_, signal); }

int ServerProcess::wait(std::chrono::milliseconds deadline)
{
    const auto until = Clock::now() + deadline;
    while (!exited_) {
        if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
            exited_ = true;
            break;
        }
        if (Clock::now() >= until) {
            throw std::runtime_error(fmt::format(
                "the server process did not exit within {} ms; its output:\n{}", deadline.count(),
                output()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

std::string ServerProcess::output() const
{
    std::lock_guard lock(mutex_);
    return output_;
}

}  // namespace mini_redis::testing
