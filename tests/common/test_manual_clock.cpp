// Tests of the manual clock that later chapters use to test time without sleeping.
#include "mini_redis/testing/manual_clock.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using mini_redis::testing::ManualClock;
using mini_redis::testing::ManualTimer;
using namespace std::chrono_literals;

TEST_CASE("the manual clock moves only when advanced", "[common]")
{
    ManualClock::reset();
    const auto start = ManualClock::now();
    std::this_thread::sleep_for(2ms);  // real time passes; manual time must not
    CHECK(ManualClock::now() == start);
    ManualClock::advance(1h);
    CHECK(ManualClock::now() - start == 1h);
}

TEST_CASE("a timer on the manual clock fires once the clock is advanced past it", "[common]")
{
    ManualClock::reset();
    boost::asio::io_context context;
    ManualTimer timer(context);
    timer.expires_after(1h);
    bool fired = false;
    timer.async_wait([&](boost::system::error_code error) { fired = !error; });

    // A virtual hour has not passed: a few real milliseconds of running must not fire it.
    context.run_for(20ms);
    CHECK_FALSE(fired);

    ManualClock::advance(1h);
    context.restart();
    context.run_for(5s);  // returns as soon as the timer's handler ran
    CHECK(fired);
}
