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

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string_view>

#include <memory>
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
    for (int i = 49; i >= 0; --i) {
        CHECK(clients[i]->read_exact(9) == fmt::format("client {:02}", i));
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
    auto server = echo_server();

    // Make the server's next accept fail with "too many open files" (EMFILE): the client's socket
    // is opened first, then the process may open no descriptor above the lowest free one, and
    // only then does the client connect (which takes no descriptor). The server's accept fails,
    // and is logged, until the limit is back. A blocking socket with timeouts (a guard against a
    // hang only) needs no descriptor to connect, send or receive.
    mini_redis::asio::io_context context;
    tcp::socket client(context);
    client.open(tcp::v4());
    const auto guard = mini_redis::testing::hang_guard(std::chrono::seconds(10));
    const timeval timeout{static_cast<time_t>(guard.count() / 1000), 0};
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(client.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    const int lowest_free = ::open("/dev/null", O_RDONLY);
    REQUIRE(lowest_free >= 0);
    ::close(lowest_free);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    boost::system::error_code connect_error;
    client.connect(tcp::endpoint(mini_redis::asio::ip::address_v4::loopback(), server.port()),
                   connect_error);
    const bool failed = mini_redis::testing::eventually([] {
        return mini_redis::testing::recent_log().find("Too many open files") != std::string::npos;
    });
    REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(!connect_error);
    REQUIRE(failed);  // the server tried to accept, failed, and logged why

    // A server that stopped at the failure never accepts this client: no echo.
    REQUIRE(mini_redis::asio::write(client, mini_redis::asio::buffer(std::string_view("two"))) ==
            3);
    std::array<char, 3> echo{};
    boost::system::error_code read_error;
    mini_redis::asio::read(client, mini_redis::asio::buffer(echo), read_error);
    CHECK(read_error.message() == boost::system::error_code().message());
    CHECK(std::string_view(echo.data(), echo.size()) == "two");
}
