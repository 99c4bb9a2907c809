// Chapter 05 test helpers: the server's Db and purge task on the manual test clock.
#pragma once

#include "clock.hpp"
#include "db.hpp"
#include "purge_task.hpp"
#include "server.hpp"

#include "mini_redis/testing/manual_clock.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace ch05_test {

using mini_redis::testing::ManualClock;

/// "Now" for a Db, read from the manual clock.
inline mini_redis::TimePoint manual_now()
{
    return mini_redis::TimePoint(ManualClock::now().time_since_epoch());
}

/// A co_spawn completion handler that logs an escaping exception (an unfinished exercise's stub,
/// say), so the test's failure message can quote it.
inline void log_error(std::exception_ptr error)
{
    try {
        if (error) {
            std::rethrow_exception(error);
        }
    } catch (const std::exception& e) {
        spdlog::error("background task ended: {}", e.what());
    }
}

/// The chapter's server with its Db and purge task on the manual clock: what serve(acceptor)
/// does, with ManualTimer and manual_now in place of the steady clock. Resets the clock.
inline mini_redis::testing::TestServer manual_clock_server()
{
    ManualClock::reset();
    return mini_redis::testing::TestServer(
        [](mini_redis::tcp::acceptor acceptor) -> mini_redis::asio::awaitable<void> {
            namespace asio = mini_redis::asio;
            mini_redis::DbGuard guard{mini_redis::Db(manual_now)};
            asio::co_spawn(
                asio::make_strand(acceptor.get_executor()),
                mini_redis::purge_expired_keys<mini_redis::testing::ManualTimer>(guard.db()),
                log_error);
            co_await mini_redis::serve(std::move(acceptor), guard.db());
        });
}

}  // namespace ch05_test
