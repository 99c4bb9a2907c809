// Chapter 04 as a program: the server executable on a pool of threads. Exercise 04.4.
#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <future>
#include <string>
#include <system_error>
#include <vector>

using mini_redis::testing::conversation;
using mini_redis::testing::eventually;
using mini_redis::testing::ServerProcess;

namespace {

/// How many threads the process `pid` has now: one entry each under /proc/<pid>/task.
int threads_of(pid_t pid)
{
    std::error_code error;
    std::filesystem::directory_iterator task("/proc/" + std::to_string(pid) + "/task", error);
    int count = 0;
    for (; !error && task != std::filesystem::directory_iterator(); task.increment(error)) {
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("the server executable serves clients on the number of threads asked for",
          "[ch04][ex04.4]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--threads", "4"},
                         std::chrono::milliseconds(10000), "serving on 4 threads");
    // The ready line comes after the listening line, so the port is known from the output.
    const auto output = server.output();
    const auto at = output.find("listening on 127.0.0.1:");
    REQUIRE(at != std::string::npos);
    const auto port = static_cast<unsigned short>(std::stoi(output.substr(at + 23)));

    // Four threads run the event loop: the server's main thread and three that it started.
    // (At least four: a sanitizer may keep a thread of its own in the process.) Clients alone
    // could not tell, since one thread serves eight clients as well as four do.
    {
        int threads = 0;
        const bool four = eventually([&] { return (threads = threads_of(server.pid())) >= 4; });
        INFO("the server process has " << threads << " threads");
        CHECK(four);
    }

    std::vector<std::future<std::string>> replies;
    for (int c = 0; c < 8; ++c) {
        replies.push_back(std::async(std::launch::async, [port, c] {
            const auto key = "k" + std::to_string(c);
            return conversation(
                port, "SET " + key + " v" + std::to_string(c) + "\r\nGET " + key + "\r\n");
        }));
    }
    for (int c = 0; c < 8; ++c) {
        CHECK(replies[c].get() == "+OK\r\n$2\r\nv" + std::to_string(c) + "\r\n");
    }
    server.signal(SIGINT);
    CHECK(server.wait() == 0);
}

TEST_CASE("the server executable refuses zero threads with a clear error", "[ch04]")
{
    CHECK_THROWS_WITH(ServerProcess(MINI_REDIS_SERVER_BINARY, {"--port", "0", "--threads", "0"}),
                      Catch::Contains("--threads"));
}
