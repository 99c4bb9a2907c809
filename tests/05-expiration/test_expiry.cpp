// Chapter 05: deadlines in the Db, on the manual clock, without sockets or background tasks.
// Exercises 05.2 (the expiry index), 05.3 (lazy expiry in GET) and 05.4 (purging).
#include "manual_time.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

using ch05_test::manual_now;
using mini_redis::Db;
using mini_redis::testing::ManualClock;
using namespace std::chrono_literals;

TEST_CASE("a key with a deadline is there until the clock reaches it, then gone", "[ch05][ex05.3]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("k", "v", 1000ms);
    CHECK(db.expiring() == 1);
    ManualClock::advance(999ms);
    CHECK(db.get("k") == "v");
    ManualClock::advance(1ms);
    // GET never returns an expired value, even before any purge has run.
    CHECK_FALSE(db.get("k").has_value());
    CHECK(db.size() == 0);
    CHECK(db.expiring() == 0);
}

TEST_CASE("a SET without an expiry clears the old one", "[ch05][ex05.2]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("k", "old", 100ms);
    db.set("k", "new");
    REQUIRE(db.expiring() == 0);  // the index holds no stale entry
    ManualClock::advance(1h);
    CHECK_FALSE(db.purge_expired().has_value());
    CHECK(db.get("k") == "new");
}

TEST_CASE("a SET with a new expiry replaces the old deadline", "[ch05][ex05.2]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("k", "first", 10s);
    db.set("k", "second", 100s);
    REQUIRE(db.expiring() == 1);  // the old deadline left the index
    ManualClock::advance(10s);
    db.purge_expired();  // the old deadline must not delete the new value
    CHECK(db.get("k") == "second");
    ManualClock::advance(90s);
    CHECK_FALSE(db.get("k").has_value());
}

TEST_CASE("a SET with the same deadline as before keeps it in the index", "[ch05][ex05.2]")
{
    // Same clock, same expiry: the new (deadline, key) pair equals the old one. Adding it before
    // removing the old one would remove it, and the key would never be purged.
    ManualClock::reset();
    Db db(manual_now);
    db.set("k", "first", 10s);
    db.set("k", "second", 10s);
    CHECK(db.expiring() == 1);
    ManualClock::advance(10s);
    CHECK_FALSE(db.purge_expired().has_value());
    CHECK(db.size() == 0);
}

TEST_CASE("SET calls the wake-up only for a deadline earlier than all others", "[ch05][ex05.2]")
{
    ManualClock::reset();
    Db db(manual_now);
    int wake_ups = 0;
    db.on_earlier_deadline([&wake_ups] { ++wake_ups; });
    db.set("a", "v", 1h);  // the first deadline
    CHECK(wake_ups == 1);
    db.set("b", "v", 2h);  // later than "a": nothing changes for the purge task
    db.set("c", "v");      // no deadline at all
    db.set("d", "v", 1h);  // equal to the first: the task wakes then anyway
    CHECK(wake_ups == 1);
    db.set("e", "v", 10ms);  // the new first
    CHECK(wake_ups == 2);
}

TEST_CASE("a key without an expiry is never purged", "[ch05][ex05.4]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("forever", "v");
    ManualClock::advance(24h * 365 * 100);
    CHECK_FALSE(db.purge_expired().has_value());
    CHECK(db.get("forever") == "v");
}

TEST_CASE("purging deletes what is due, keeps the rest, and returns the next deadline",
          "[ch05][ex05.4]")
{
    ManualClock::reset();
    Db db(manual_now);
    db.set("a", "1", 10ms);
    db.set("b", "2", 20ms);
    db.set("c", "3", 30ms);
    ManualClock::advance(20ms);
    const auto next = db.purge_expired();
    REQUIRE(next.has_value());
    CHECK(*next == manual_now() + 10ms);
    CHECK(db.size() == 1);
    CHECK(db.expiring() == 1);
}

TEST_CASE("five thousand keys with mixed deadlines expire in order, leaving nothing behind",
          "[ch05][ex05.4]")
{
    ManualClock::reset();
    Db db(manual_now);
    // Deadlines from 1 ms to 5 s in a scrambled order, plus keys that never expire.
    std::multimap<std::int64_t, std::string> deadlines;
    for (std::int64_t i = 0; i < 5000; ++i) {
        const std::int64_t ms = 1 + (i * 7919) % 5000;
        const auto key = "key:" + std::to_string(i);
        db.set(key, "value", std::chrono::milliseconds(ms));
        deadlines.emplace(ms, key);
    }
    for (int i = 0; i < 1000; ++i) {
        db.set("keep:" + std::to_string(i), "value");
    }
    REQUIRE(db.size() == 6000);

    for (std::int64_t now = 0; now <= 5000; now += 97) {
        ManualClock::advance(now == 0 ? 0ms : 97ms);
        const auto next = db.purge_expired();
        // Exactly the keys due by now are gone, and the next deadline is the first one left.
        const auto left = std::distance(deadlines.upper_bound(now), deadlines.end());
        REQUIRE(db.expiring() == static_cast<std::size_t>(left));
        REQUIRE(db.size() == static_cast<std::size_t>(left) + 1000);
        if (left > 0) {
            REQUIRE(next.has_value());
            REQUIRE(*next == mini_redis::TimePoint(
                                 std::chrono::milliseconds(deadlines.upper_bound(now)->first)));
        }
    }
    ManualClock::advance(1s);
    CHECK_FALSE(db.purge_expired().has_value());
    CHECK(db.size() == 1000);
    CHECK(db.expiring() == 0);
}

TEST_CASE("a purge deletes one slice of keys per call, and says to come back at once",
          "[ch05][ex05.4]")
{
    // With the lock held for at most purge_slice deletions, a mass expiry cannot keep the
    // other clients waiting for the lock until the last key is gone.
    ManualClock::reset();
    Db db(manual_now);
    const std::size_t keys = 2 * Db::purge_slice + 10;
    for (std::size_t i = 0; i < keys; ++i) {
        db.set("key:" + std::to_string(i), "value", 10ms);
    }
    db.set("later", "value", 20ms);
    ManualClock::advance(10ms);
    for (std::size_t slice = 1; slice <= 2; ++slice) {
        const auto next = db.purge_expired();
        REQUIRE(next.has_value());
        CHECK(*next == manual_now());  // expired keys are left: again, at once
        CHECK(db.size() == keys + 1 - slice * Db::purge_slice);
    }
    const auto next = db.purge_expired();
    REQUIRE(next.has_value());
    CHECK(*next == manual_now() + 10ms);  // the last ten are gone; "later" is next
    CHECK(db.size() == 1);
}
