// Db: the key space, shared by every connection on every thread.
//
// Chapter 03 kept the data in a plain map that only one thread ever touched. Now the server runs
// its io_context on a pool of threads, so two sessions can run *at the same time* and the map
// needs a lock. Db wraps the map and its mutex, and hands out cheap copies of itself: every copy
// is a handle to the same shared state. Plain C++, no Asio. Book: chapter 04.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mini_redis {

// [book: db]
/// A handle to the shared key space. Copying a Db copies the handle, not the data: the server
/// keeps one, each session gets its own copy, and the data lives until the last copy is gone
/// (a std::shared_ptr inside counts them). Every member function may be called from any thread
/// at any time.
///
/// Why a std::mutex and not something asynchronous: every operation holds the lock for a few
/// hash-map steps and never across a co_await, so a waiting thread waits nanoseconds. An async
/// mutex (or a strand) would make every GET and SET suspend and resume just to take a turn.
/// [tokio] Arc<Mutex<HashMap>> with std::sync::Mutex -> std::shared_ptr<State> with std::mutex
class Db {
public:
    /// A new, empty key space.
    Db();

    /// The value stored under `key`, copied out, or std::nullopt if there is none. The copy is
    /// the price of releasing the lock before the reply is written.
    std::optional<std::string> get(std::string_view key) const;

    /// Stores `value` under `key`, replacing any previous value. Takes both by value so a caller
    /// can move them in, and the map keeps them without another copy.
    void set(std::string key, std::string value);

private:
    /// Lets the map look up a std::string_view without building a std::string first.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept
        {
            return std::hash<std::string_view>{}(key);
        }
    };

    /// What every copy of the handle shares. The mutex guards `entries`: touch it only while
    /// holding the lock.
    struct State {
        std::mutex mutex;
        std::unordered_map<std::string, std::string, KeyHash, std::equal_to<>> entries;
    };

    std::shared_ptr<State> state_;
};
// [end book: db]

}  // namespace mini_redis
