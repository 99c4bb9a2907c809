// Chapter 05: the background purge task on the manual clock (exercises 05.5 and 05.6). The test
// moves the clock; the task, on the server's thread, reacts; eventually() waits for that with a
// deadline.
#include "manual_time.hpp"

#include "mini_redis/testing/eventually.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>

using ch05_test::manual_now;
using mini_redis::Db;
using mini_redis::testing::eventually;
using mini_redis::testing::ManualClock;
using mini_redis::testing::ManualTimer;
using mini_redis::testing::TestServer;
using namespace std::chrono_literals;

namespace {

/// Runs the purge task for `db` on its own io_context thread; `done` turns true when it ends,
/// normally or with an exception (which the harness then logs, and the test quotes).
template <class Timer = ManualTimer>
TestServer purge_task_for(Db db, std::shared_ptr<std::atomic<bool>> done)
{
    return TestServer([db, done](mini_redis::tcp::acceptor) -> mini_redis::asio::awaitable<void> {
        struct MarkDone {
            std::atomic<bool>& done;
            ~MarkDone() { done = true; }
        } mark{*done};
        co_await mini_redis::purge_expired_keys<Timer>(db);
    });
}

/// Puts in a key that is already due, so that waiting for it to vanish (first_round_done) shows
/// the purge task has started and done its first round: from then on it sleeps towards its
/// next deadline.
/// Returns how many keys there will be once it is purged. (Only size() is looked at, never
/// get(): a GET deletes an expired key itself, which would prove nothing about the task.)
std::size_t add_due_key(Db& db)
{
    db.set("already-due", "v", 1ms);
    ManualClock::advance(1ms);
    return db.size() - 1;
}

/// True once the due key is gone; false at once if the task ended instead (an exercise stub).
bool first_round_done(Db& db, std::size_t size_after, const std::atomic<bool>& done)
{
    eventually([&] { return db.size() == size_after || done; });
    return db.size() == size_after;
}

/// A ManualTimer that records the last time it was set to wait until, so a test can see what
/// the purge task sleeps towards. (purge_expired_keys<Timer> calls expires_at on a Timer, so
/// this hides ManualTimer's.)
struct RecordingTimer : ManualTimer {
    using ManualTimer::ManualTimer;
    static inline std::atomic<ManualClock::rep> until{-1};
    std::size_t expires_at(const time_point& t)
    {
        until = t.time_since_epoch().count();
        return ManualTimer::expires_at(t);
    }
};

/// The time the recording timer was last set to, as a duration since the manual clock's start.
ManualClock::duration recorded_wait()
{
    return ManualClock::duration(RecordingTimer::until.load());
}

}  // namespace

TEST_CASE("the purge task deletes a key once the clock passes its deadline", "[ch05][ex05.6]")
{
    ManualClock::reset();
    Db db(manual_now);
    auto done = std::make_shared<std::atomic<bool>>(false);
    const auto size_after = add_due_key(db);
    auto task = purge_task_for(db, done);
    REQUIRE(first_round_done(db, size_after, *done));
    db.set("k", "v", 100ms);
    ManualClock::advance(100ms);
    CHECK(eventually([&] { return db.size() == 0; }));
}

TEST_CASE("the purge task comes back at once while expired keys are left", "[ch05][ex05.6]")
{
    // Three slices' worth of keys expire together: purge_expired() returns "now" twice, and the
    // task must run again at once instead of sleeping towards a later deadline.
    ManualClock::reset();
    Db db(manual_now);
    auto done = std::make_shared<std::atomic<bool>>(false);
    const auto size_after = add_due_key(db);
    auto task = purge_task_for(db, done);
    REQUIRE(first_round_done(db, size_after, *done));
    for (std::size_t i = 0; i < 3 * Db::purge_slice; ++i) {
        db.set("key:" + std::to_string(i), "value", 10ms);
    }
    db.set("later", "value", 1h);
    ManualClock::advance(10ms);
    CHECK(eventually([&] { return db.size() == 1; }));
}

TEST_CASE("a new deadline earlier than all others wakes the purge task", "[ch05][ex05.5]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("late", "v", 1h);
    auto done = std::make_shared<std::atomic<bool>>(false);
    const auto size_after = add_due_key(db);
    auto task = purge_task_for(db, done);
    REQUIRE(first_round_done(db, size_after, *done));  // now asleep until the 1 h deadline

    db.set("soon", "v", 10ms);
    ManualClock::advance(10ms);
    // Only a woken task purges "soon" now; a sleeping one would wait for the hour to pass.
    CHECK(eventually([&] { return db.size() == 1; }));
    CHECK(db.get("late") == "v");
}

TEST_CASE("shutting the Db down ends the purge task", "[ch05][ex05.6]")
{
    ManualClock::reset();
    auto done = std::make_shared<std::atomic<bool>>(false);
    Db db(manual_now);
    const auto size_after = add_due_key(db);
    auto task = purge_task_for(db, done);
    REQUIRE(first_round_done(db, size_after, *done));
    {
        mini_redis::DbGuard guard(db);  // its destructor shuts the Db down
    }
    CHECK(eventually([&] { return done->load(); }));
}

TEST_CASE("the purge task sleeps exactly until the earliest deadline, or until woken",
          "[ch05][ex05.6]")
{
    ManualClock::reset();
    RecordingTimer::until = -1;
    Db db(manual_now);
    auto done = std::make_shared<std::atomic<bool>>(false);
    const auto size_after = add_due_key(db);  // due at 1 ms, the clock is at 1 ms
    auto task = purge_task_for<RecordingTimer>(db, done);
    REQUIRE(first_round_done(db, size_after, *done));
    // Nothing left with a deadline: the task waits for a wake-up, not for a polling interval.
    CHECK(eventually([] { return recorded_wait() == ManualClock::duration::max(); }));

    db.set("k", "v", 1h);  // the earliest deadline: it wakes the task, which sleeps towards it
    const auto deadline = ManualClock::now().time_since_epoch() + 1h;
    CHECK(eventually([&] { return recorded_wait() == deadline; }));
    ManualClock::advance(1h);
    CHECK(eventually([&] { return db.size() == 0; }));
    CHECK(eventually([] { return recorded_wait() == ManualClock::duration::max(); }));
}
