// Chapter 07: backing off after failed accepts (exercise 07.2). Accept errors are injected;
// the server's waits are recorded instead of slept, so no clock is needed at all.
#include "limits.hpp"

#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

using ch07_test::server_with;
using mini_redis::testing::eventually;
using mini_redis::testing::TestClient;
using namespace std::chrono_literals;

namespace {

/// Fails the next `failures` accepts with "too many open files", and records every wait.
struct FlakyAccepts {
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;

    mini_redis::ServerOptions options()
    {
        mini_redis::ServerOptions options;
        options.accept_fault = [this]() -> boost::system::error_code {
            if (failures > 0) {
                --failures;
                return boost::asio::error::no_descriptors;
            }
            return {};
        };
        options.sleep =
            [this](std::chrono::milliseconds wait) -> mini_redis::asio::awaitable<void> {
            std::lock_guard lock(mutex);
            waits.push_back(wait);
            co_return;
        };
        return options;
    }

    std::vector<std::chrono::milliseconds> recorded()
    {
        std::lock_guard lock(mutex);
        return waits;
    }
};

}  // namespace

TEST_CASE("failed accepts wait 1 s, doubling to a 64 s cap, and the server recovers",
          "[ch07][ex07.2]")
{
    auto flaky = std::make_shared<FlakyAccepts>();
    flaky->failures = 9;
    auto server = server_with(flaky->options());

    // The client is accepted once the nine failures are over.
    TestClient client(server.port());
    client.send("PING\r\n");
    CHECK(client.read_reply() == "+PONG\r\n");
    CHECK(flaky->recorded() ==
          std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 16s, 32s, 64s, 64s, 64s});
}

TEST_CASE("after a successful accept the back-off starts again from 1 s", "[ch07][ex07.2]")
{
    auto flaky = std::make_shared<FlakyAccepts>();
    flaky->failures = 3;
    auto server = server_with(flaky->options());
    TestClient first(server.port());
    first.send("PING\r\n");
    REQUIRE(first.read_reply() == "+PONG\r\n");

    // The loop is waiting in its next accept already: `second` is accepted at once, and the two
    // failures come after it, while `second` is being served.
    flaky->failures = 2;
    TestClient second(server.port());
    second.send("PING\r\n");
    REQUIRE(second.read_reply() == "+PONG\r\n");
    CHECK(eventually([&] { return flaky->recorded().size() == 5; }));
    CHECK(flaky->recorded() == std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 1s, 2s});
}
