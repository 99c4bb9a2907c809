// Chapter 04: the Db on its own, hammered by plain threads (no sockets). Exercises 04.1, 04.2.
//
// These tests run under ThreadSanitizer in CI (the tsan preset): a missing or misplaced lock
// fails them there even when the results happen to come out right.
#include "db.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <string>
#include <vector>

using mini_redis::Db;

namespace {

/// Runs `work(0)` ... `work(count - 1)` on `count` threads at once and waits for all of them.
/// std::async rather than std::thread: an exception on a worker (an unfinished exercise's stub,
/// say) is handed to get() on this thread and fails the test, instead of terminating the binary.
void on_threads(int count, const std::function<void(int)>& work)
{
    std::vector<std::future<void>> done;
    for (int t = 0; t < count; ++t) {
        done.push_back(std::async(std::launch::async, work, t));
    }
    for (auto& each : done) {
        each.get();
    }
}

}  // namespace

TEST_CASE("get of a key never set is nothing", "[ch04][ex04.1]")
{
    Db db;
    CHECK_FALSE(db.get("missing").has_value());
}

TEST_CASE("get returns what set stored, and set replaces it", "[ch04][ex04.2]")
{
    Db db;
    db.set("k", "first");
    CHECK(db.get("k") == "first");
    db.set("k", "second");
    CHECK(db.get("k") == "second");
}

TEST_CASE("copies of a Db are handles to the same data", "[ch04][ex04.2]")
{
    Db db;
    Db other = db;
    other.set("shared", "yes");
    CHECK(db.get("shared") == "yes");
}

TEST_CASE("eight threads setting their own keys lose none of them", "[ch04][ex04.2]")
{
    Db db;
    constexpr int threads = 8;
    constexpr int keys_each = 2000;
    on_threads(threads, [db](int t) mutable {
        for (int i = 0; i < keys_each; ++i) {
            db.set("t" + std::to_string(t) + ":" + std::to_string(i), std::to_string(i));
        }
    });
    // Asserted here, on the test's thread, after every writer has finished.
    for (int t = 0; t < threads; ++t) {
        for (int i = 0; i < keys_each; ++i) {
            REQUIRE(db.get("t" + std::to_string(t) + ":" + std::to_string(i)) == std::to_string(i));
        }
    }
}

TEST_CASE("threads racing on one key leave one of their last writes, never a mix", "[ch04][ex04.2]")
{
    Db db;
    constexpr int threads = 8;
    on_threads(threads, [db](int t) mutable {
        // Long values, so a torn write (half one value, half another) would show.
        for (int i = 0; i < 2000; ++i) {
            db.set("contested", std::string(100, static_cast<char>('a' + t)) + std::to_string(i));
        }
    });
    const auto value = db.get("contested");
    REQUIRE(value.has_value());
    bool is_a_last_write = false;
    for (int t = 0; t < threads; ++t) {
        is_a_last_write |= *value == std::string(100, static_cast<char>('a' + t)) + "1999";
    }
    CHECK(is_a_last_write);
}

TEST_CASE("readers running alongside writers see whole values only", "[ch04][ex04.1]")
{
    Db db;
    db.set("k", std::string(64, 'x'));
    std::atomic<int> torn = 0;
    on_threads(2, [db, &torn](int t) mutable {
        for (int i = 0; i < 5000; ++i) {
            if (t == 0) {
                db.set("k", std::string(64, i % 2 ? 'x' : 'y'));
            } else if (const auto value = db.get("k"); !value || (*value != std::string(64, 'x') &&
                                                                  *value != std::string(64, 'y'))) {
                ++torn;
            }
        }
    });
    CHECK(torn == 0);
}
