// Db: the shared state of the server: the key space with expiring keys, and pub/sub channels.
//
// Chapter 04 wrapped a map and its mutex. Chapter 05 adds deadlines: a key set with EX or PX
// expires at a moment in time. An index of deadlines, in time order, lets a background task find
// the next key to delete without looking at all the others. Chapter 06 adds channels: for each
// channel name, the subscribers a PUBLISH delivers to. Db itself does no I/O and keeps no timer;
// the purge task (purge_task.hpp) does the waiting, and each subscriber's connection does its
// own writing. Chapter 11 makes the key space cheaper to search: each key lives in one block with
// its value, and an open-addressing table holds pointers to the blocks. Book: chapters 04, 05, 06
// and 11.
#pragma once

#include "clock.hpp"
#include "recipient.hpp"

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace mini_redis {

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
    /// A new, empty key space that reads the time from `now` (see clock.hpp). `now` may be
    /// called with the Db's lock held: it must not call into the Db.
    explicit Db(Now now = steady_now);

    /// The value stored under `key`, copied out, or std::nullopt if there is none. A key whose
    /// deadline has passed counts as gone (and is deleted now) even if the purge task has not
    /// come round to it yet.
    std::optional<std::string> get(std::string_view key);

    /// Stores `value` under `key`, replacing any previous value *and its deadline*. With
    /// `expire`, the key disappears that long from now. If this deadline comes before every other
    /// one, the purge task is woken to reschedule itself. Takes the value by value so a caller
    /// can move it in; the key is copied into a new entry, or not at all if it exists.
    void set(std::string_view key, std::string value,
             std::optional<std::chrono::milliseconds> expire = std::nullopt);

    /// The most keys purge_expired() deletes while it holds the lock. A million keys that expire
    /// together are deleted a slice at a time, and other clients' GET and SET get the lock in
    /// between. (Redis bounds each of its expiry cycles the same way.)
    static constexpr std::size_t purge_slice = 1000;

    /// Deletes the keys whose deadline has passed, at most purge_slice of them, and says when to
    /// call again: the next deadline still ahead; now, if expired keys are left; std::nullopt
    /// when no key has a deadline (or the Db is shut down). The purge task calls this.
    std::optional<TimePoint> purge_expired();

    /// How many keys there are, and how many of them have a deadline. For tests and statistics.
    std::size_t size() const;
    std::size_t expiring() const;

    /// Sets what set() calls when a new deadline comes before all others: the purge task's
    /// wake-up. Called outside the lock, from whichever thread ran set(). nullptr removes it.
    void on_earlier_deadline(std::function<void()> wake);

    /// Adds `recipient` to `channel` (a recipient already there is not added twice).
    void subscribe(const std::string& channel, std::shared_ptr<Recipient> recipient);

    /// Makes room for `more` channels at once: a SUBSCRIBE naming 100,000 grows the table once,
    /// instead of a dozen times, each moving every channel already there.
    void expect_channels(std::size_t more);

    /// Removes `recipient` from `channel`; a channel left without recipients is deleted, so
    /// channels cost nothing once nobody listens (once most are gone, the table shrinks too).
    void unsubscribe(std::string_view channel, const Recipient* recipient);

    /// Delivers `push` to every recipient of `channel` and returns how many took it (what
    /// PUBLISH replies). `push` is the message as its subscribers receive it, encoded once by the
    /// caller: the Db passes bytes on and knows no protocol. Never waits for a recipient: see
    /// Recipient::deliver.
    std::size_t publish(std::string_view channel, std::string_view push);

    /// How many channels have at least one subscriber. For tests and statistics.
    std::size_t channel_count() const;

    /// Tells background work to stop: is_shut_down() becomes true, and the wake-up runs so a
    /// sleeping purge task notices. The keys stay readable for handles that are still around.
    void shutdown();
    bool is_shut_down() const;

private:
    // [book: entry]
    /// One key with its value and deadline, in a single allocation: after the Entry come the
    /// key's length (4 bytes) and its bytes, so finding a key and then reading or replacing its
    /// value touch one block, not a node, a key string and a value elsewhere. Entries never
    /// move once made (the table holds pointers to them), so chapter 5's expiry index may keep
    /// views of their keys. Made only by make(), freed only by Free: a plain `new Entry` would
    /// leave no room for the key.
    class Entry {
    public:
        /// Destroys an entry and gives back its memory, key bytes included.
        struct Free {
            void operator()(Entry* entry) const noexcept;
        };
        using Owner = std::unique_ptr<Entry, Free>;

        /// A new entry for `key` (a copy of it), with an empty value and no deadline.
        static Owner make(std::string_view key);

        /// Not copyable: a copy would have no key bytes after it.
        Entry(const Entry&) = delete;
        Entry& operator=(const Entry&) = delete;

        /// The key, stored right after this object: its length, then its bytes.
        std::string_view key() const noexcept
        {
            const char* after = reinterpret_cast<const char*>(this + 1);
            std::uint32_t size = 0;
            std::memcpy(&size, after, sizeof size);
            return {after + sizeof size, size};
        }

        /// When the key expires, if it does.
        std::optional<TimePoint> deadline() const noexcept
        {
            return deadline_ == none ? std::nullopt : std::optional(deadline_);
        }
        /// `deadline` must not be TimePoint::min(), which would read as no deadline at all.
        void set_deadline(std::optional<TimePoint> deadline) noexcept
        {
            assert(!deadline || *deadline != none);
            deadline_ = deadline.value_or(none);
        }

        std::string value;

    private:
        /// "No deadline": no real one is this early. A std::optional<TimePoint> would spend 8
        /// more bytes per key on its flag and padding.
        static constexpr TimePoint none = TimePoint::min();

        Entry() = default;
        TimePoint deadline_ = none;
    };
    // [end book: entry]

    /// Hashes a key or a channel name, or an entry by its key. `is_transparent` lets find() take
    /// a string_view, with no Entry (nor std::string) made per lookup. The table hashes an entry
    /// when it is inserted, and again when the table grows and moves its pointers to new slots.
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept
        {
            return std::hash<std::string_view>{}(key);
        }
        std::size_t operator()(const Entry::Owner& entry) const noexcept
        {
            return (*this)(entry->key());
        }
    };

    /// Compares keys, whether given as a string_view or as the entry that holds one.
    struct KeyEqual {
        using is_transparent = void;
        static std::string_view key_of(std::string_view key) noexcept { return key; }
        static std::string_view key_of(const Entry::Owner& entry) noexcept { return entry->key(); }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept
        {
            return key_of(a) == key_of(b);
        }
    };

    /// An open-addressing table of pointers. A lookup reads a group of 15 one-byte fragments of
    /// hashes, then the slot whose fragment matches (almost always just one), then that entry:
    /// three cache misses. libstdc++'s std::unordered_map read the bucket, the node before, the
    /// node, and a key longer than 15 bytes in a string of its own: four.
    using Entries = boost::unordered_flat_set<Entry::Owner, KeyHash, KeyEqual>;

    /// What every copy of the handle shares. `mutex` guards the keys, deadlines and wake-up;
    /// `channels_mutex` guards the channels.
    struct State {
        explicit State(Now clock) : now(std::move(clock)) {}

        const Now now;  // set once, read without the lock
        std::mutex mutex;
        Entries entries;
        /// Every deadline with its key, earliest first. The key is a view of the entry's own
        /// key: an Entry never moves, so the view stays valid until the entry is erased, and
        /// we always remove the index entry first.
        std::set<std::pair<TimePoint, std::string_view>> expirations;
        std::function<void()> wake;
        bool shut_down = false;

        /// Channels have a lock of their own: a PUBLISH never waits for a SET, nor a SET for a
        /// PUBLISH to many subscribers.
        std::mutex channels_mutex;
        std::unordered_map<std::string, std::vector<std::shared_ptr<Recipient>>, KeyHash,
                           std::equal_to<>>
            channels;
    };

    /// Removes `entry` and its index entry. The caller holds the lock.
    static void erase(State& state, Entries::iterator entry);

    std::shared_ptr<State> state_;
};

/// Owns the server's Db for as long as the server runs, and shuts it down when destroyed, which
/// stops the purge task. Sessions keep their own handles; they may outlive the guard and still
/// read and write, only no background task deletes expired keys any more.
/// [tokio] DbDropGuard: dropping it calls shutdown_purge_task().
class DbGuard {
public:
    explicit DbGuard(Db db = Db()) : db_(std::move(db)) {}
    ~DbGuard() { db_.shutdown(); }
    DbGuard(const DbGuard&) = delete;
    DbGuard& operator=(const DbGuard&) = delete;

    /// A handle to the guarded Db, to give to sessions and to the purge task.
    Db db() const { return db_; }

private:
    Db db_;
};

}  // namespace mini_redis
