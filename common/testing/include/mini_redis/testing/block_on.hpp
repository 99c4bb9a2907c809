// Runs one coroutine to completion on the test's own thread, with a deadline.
//
// Client-side tests are coroutines (they co_await a client's calls), but a Catch2 test is a
// plain function, and its assertions must run on the test's thread. block_on() bridges the two:
// it runs the coroutine on a fresh io_context on the calling thread and returns what the
// coroutine returns (or throws what it throws), so the test asserts on the result afterwards.
#pragma once

#include "mini_redis/testing/hang_guard.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>

namespace mini_redis::testing {

/// Runs `task` until it finishes and returns its result. Throws std::runtime_error if it has not
/// finished within hang_guard(`deadline`) (a server that never answers fails the test instead of
/// hanging it). T must be default-constructible (co_spawn's requirement: Boost 1.81 makes a T() for
/// the completion handler when the coroutine throws): return values, not clients.
template <typename T>
T block_on(boost::asio::awaitable<T> task,
           std::chrono::milliseconds deadline = std::chrono::milliseconds(5000))
{
    boost::asio::io_context context;
    auto result = boost::asio::co_spawn(context, std::move(task), boost::asio::use_future);
    const auto guard = hang_guard(deadline);
    context.run_for(guard);
    if (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        throw std::runtime_error("the coroutine did not finish within " +
                                 std::to_string(guard.count()) + " ms");
    }
    return result.get();
}

}  // namespace mini_redis::testing
