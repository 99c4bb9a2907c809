// Chapter 11: a client that has sent nothing is parked, with no session yet. Exercise 11.5.
//
// The silent clients are plain POSIX sockets: the test's own side then allocates nothing on the
// heap that the measurement would count (an Asio socket would).
#include "serving.hpp"
#include "shutdown.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

using ch11_test::newcomer_is_served;
using ch11_test::server_with;
using mini_redis::Shutdown;
using mini_redis::testing::hang_guard;
using mini_redis::testing::heap_in_use;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

namespace {

/// A connected TCP socket to 127.0.0.1:port that sends nothing; closed with the object.
class SilentClient {
public:
    explicit SilentClient(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0))
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("cannot connect to the test server");
        }
    }
    SilentClient(SilentClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    SilentClient& operator=(SilentClient&&) = delete;
    ~SilentClient()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    /// Waits for the server to close the connection: true if it did (the end of the stream),
    /// false if it sent bytes instead, or did neither within the hang guard.
    bool closed_by_server() const
    {
        const auto guard = hang_guard(5s);
        timeval timeout{};
        timeout.tv_sec = static_cast<time_t>(guard.count() / 1000);
        timeout.tv_usec = static_cast<suseconds_t>(guard.count() % 1000 * 1000);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        char byte = 0;
        return ::recv(fd_, &byte, 1, 0) == 0;
    }

private:
    int fd_;
};

}  // namespace

TEST_CASE("a client that has sent nothing costs the server less than 2 KB", "[ch11][ex11.5]")
{
    // A session (coroutines, outbox, timers) costs about 12 KB; a parked client is a wait for
    // readability and a shutdown listener. 200 clients make the figure an average, and leave
    // room for what the server allocates once (a bucket array growing, say).
    constexpr std::size_t clients = 200;
    Shutdown shutdown;
    auto server = server_with({}, mini_redis::Db(), shutdown);
    REQUIRE(newcomer_is_served(server.port()));  // the server's one-off allocations first
    std::vector<SilentClient> silent;
    silent.reserve(clients);
    const std::size_t before = heap_in_use();
    for (std::size_t i = 0; i < clients; ++i) {
        silent.emplace_back(server.port());
    }
    REQUIRE(newcomer_is_served(server.port()));
    const auto held = static_cast<long long>(heap_in_use()) - static_cast<long long>(before);
    INFO("the server holds " << held / static_cast<long long>(clients)
                             << " bytes per silent client");
    CHECK(held < static_cast<long long>(clients * 2048));
}

TEST_CASE("a silent client is closed at shutdown, and the server finishes", "[ch11][ex11.5]")
{
    // A grace period that never ends first: the requested stage alone must close the client.
    Shutdown shutdown;
    auto server = server_with({.shutdown_grace = 600s}, mini_redis::Db(), shutdown);
    SilentClient silent(server.port());
    REQUIRE(newcomer_is_served(server.port()));

    shutdown.request();
    CHECK(silent.closed_by_server());
    CHECK(server.wait_finished(5s));
}

TEST_CASE("a client parked, then speaking, is served like any other", "[ch11][ex11.5]")
{
    Shutdown shutdown;
    auto server = server_with({}, mini_redis::Db(), shutdown);
    TestClient quiet_first(server.port());
    REQUIRE(newcomer_is_served(server.port()));  // quiet_first is parked by now
    quiet_first.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    CHECK(quiet_first.read_reply() == "+OK\r\n");
    CHECK(quiet_first.read_reply() == "$1\r\nv\r\n");
}
