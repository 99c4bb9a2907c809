// Chapter 01, exercise 01.2: the accept loop, one coroutine per client.
//
// These tests run the chapter's own serve() and so also need the echo loop (exercise 01.1).
#include "server.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/log_capture.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

using mini_redis::tcp;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;

namespace {

TestServer echo_server()
{
    return TestServer(
        [](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

/// A log sink that puts the descriptor limit back when the server logs "Too many open files".
/// It runs on the server's thread, inside the very log call, before the accept loop goes round.
class RestoreLimitOnAcceptFailure : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit RestoreLimitOnAcceptFailure(rlimit saved) : saved_(saved) {}

    /// True once the server has logged the failure (and the limit is back).
    bool fired() const { return fired_; }

protected:
    void sink_it_(const spdlog::details::log_msg& message) override
    {
        const std::string_view text(message.payload.data(), message.payload.size());
        if (!fired_ && text.find("Too many open files") != std::string_view::npos) {
            ::setrlimit(RLIMIT_NOFILE, &saved_);
            fired_ = true;
        }
    }
    void flush_() override {}

private:
    const rlimit saved_;
    std::atomic<bool> fired_{false};
};

/// Adds a sink to the default logger for the lifetime of this object. Declare it before the
/// TestServer: the server's thread starts after the sink is in, and has been joined when it goes
/// (locals are destroyed in reverse order), so no thread logs while the list of sinks changes.
class SinkInstalled {
public:
    explicit SinkInstalled(spdlog::sink_ptr sink) : sink_(std::move(sink))
    {
        mini_redis::testing::install_log_capture();  // the default logger the server logs to
        spdlog::default_logger()->sinks().push_back(sink_);
    }
    ~SinkInstalled()
    {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    SinkInstalled(const SinkInstalled&) = delete;
    SinkInstalled& operator=(const SinkInstalled&) = delete;

private:
    spdlog::sink_ptr sink_;
};

}  // namespace

TEST_CASE("many clients connected at once each get their own bytes back", "[ch01][ex01.2]")
{
    auto server = echo_server();

    // All clients connect and send before any reads its echo: a server that served one client
    // at a time (awaiting each session instead of spawning it) would answer only the first.
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 50; ++i) {
        clients.push_back(std::make_unique<TestClient>(server.port()));
        clients.back()->send(fmt::format("client {:02}", i));
    }
    // REQUIRE: a server that serves one client at a time leaves every later one waiting out its
    // deadline; the first such wait is failure enough.
    for (int i = 49; i >= 0; --i) {
        REQUIRE(clients[i]->read_exact(9) == fmt::format("client {:02}", i));
    }
}

TEST_CASE("a client that connects and sends nothing does not hold up others", "[ch01][ex01.2]")
{
    auto server = echo_server();
    TestClient silent(server.port());

    TestClient talker(server.port());
    talker.send("ping");
    CHECK(talker.read_exact(4) == "ping");
}

TEST_CASE("the server keeps serving after a client vanishes abruptly", "[ch01][ex01.2]")
{
    auto server = echo_server();

    for (int i = 0; i < 20; ++i) {
        TestClient vanishing(server.port());
        vanishing.send("half a message that nobody will rea");
        vanishing.abort();  // a reset, as when a client process crashes
    }

    TestClient survivor(server.port());
    survivor.send("still serving");
    CHECK(survivor.read_exact(13) == "still serving");
}

TEST_CASE("the server keeps accepting after hundreds of clients came and went", "[ch01][ex01.2]")
{
    auto server = echo_server();

    for (int i = 0; i < 300; ++i) {
        TestClient client(server.port());
        client.send("x");
        REQUIRE(client.read_exact(1) == "x");
        client.close_sending();
        REQUIRE(client.read_until_closed().empty());
    }
}

TEST_CASE("the server keeps accepting after an accept fails", "[ch01][ex01.2]")
{
    // Make the server's next accept fail with "too many open files" (EMFILE): the client's socket
    // is opened first, then the process may open no descriptor above the lowest free one, and
    // only then does the client connect (which takes no descriptor). The server's accept fails,
    // and is logged, until the limit is back. A blocking socket with timeouts (a guard against a
    // hang only) needs no descriptor to connect, send or receive.
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    // The failed connection stays in the listening socket's queue, so a loop that carries on
    // tries it again at once, fails again and logs again, as fast as it can. The limit is put
    // back from inside the server's log call, the moment it reports the failure: it fails and
    // logs once, not hundreds of times while the test notices.
    const auto restore = std::make_shared<RestoreLimitOnAcceptFailure>(saved);
    const SinkInstalled installed(restore);
    auto server = echo_server();

    mini_redis::asio::io_context context;
    tcp::socket client(context);
    client.open(tcp::v4());
    const auto guard = mini_redis::testing::hang_guard(std::chrono::seconds(10));
    const timeval timeout{static_cast<time_t>(guard.count() / 1000), 0};
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

    const int lowest_free = ::open("/dev/null", O_RDONLY);
    REQUIRE(lowest_free >= 0);
    ::close(lowest_free);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    boost::system::error_code connect_error;
    client.connect(tcp::endpoint(mini_redis::asio::ip::address_v4::loopback(), server.port()),
                   connect_error);
    const bool failed = mini_redis::testing::eventually([&] { return restore->fired(); });
    REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);  // in case the server never logged it
    REQUIRE(!connect_error);
    REQUIRE(failed);  // the server tried to accept, failed, and logged why

    // A server that stopped at the failure never accepts this client: no echo. The system calls
    // themselves, not asio::write and read: Asio's blocking calls wait out a socket timeout with
    // poll() and try again, so they would never give up.
    const int fd = client.native_handle();
    REQUIRE(::send(fd, "two", 3, MSG_NOSIGNAL) == 3);
    std::string echo;
    std::array<char, 3> chunk{};
    ssize_t n = 0;
    while (echo.size() < 3 && (n = ::recv(fd, chunk.data(), 3 - echo.size(), 0)) > 0) {
        echo.append(chunk.data(), static_cast<std::size_t>(n));
    }
    INFO("recv: " << (n < 0 ? std::strerror(errno) : "end of stream"));
    CHECK(echo == "two");
}
