// The purge task: a background coroutine that deletes expired keys when their time comes.
//
// It sleeps until the earliest deadline in the Db, deletes what has expired, and sleeps again.
// When a SET brings a deadline earlier than the one it sleeps towards, the Db wakes it so it can
// reschedule; when the Db shuts down, the Db wakes it so it can finish. Book: chapter 05, "The
// purge task".
#pragma once

#include "db.hpp"
#include "net.hpp"

#include "mini_redis/exercise.hpp"

#include <memory>

namespace mini_redis {

/// Deletes `db`'s expired keys in the background until the Db is shut down (DbGuard does that).
///
/// Run it on a strand: `co_spawn(asio::make_strand(executor), purge_expired_keys(db), ...)`.
/// The strand runs this coroutine and the wake-ups (which come from other threads through
/// Db::on_earlier_deadline) one at a time, so they cannot race on the timer, and a wake-up is
/// never lost: it runs either before the coroutine reads the next deadline, or after it has
/// started to wait, and then cuts the wait short.
///
/// `Timer` is the kind of timer to sleep with: asio::steady_timer in the server, a timer on a
/// manual clock in tests. Its clock must count the same time as the Db's `Now`.
template <class Timer = asio::steady_timer>
asio::awaitable<void> purge_expired_keys(Db db)
{
    // [book: wake-up]
    const auto strand = co_await asio::this_coro::executor;
    auto timer = std::make_shared<Timer>(strand);

    // The wake-up, called from whichever thread ran SET: cancel the timer's wait, but on the
    // strand, never directly (a timer is not thread-safe). It holds the timer weakly, so a
    // wake-up that arrives after this coroutine is gone does nothing.
    // EXERCISE 05.5: Wake the purge task from another thread
    //
    // Give the Db (db.on_earlier_deadline) the function it calls, from whichever thread ran
    // SET, when a new deadline comes before all others. It must cut the timer's wait short so
    // that the loop looks at the index again, without touching the timer from that thread, and
    // must do nothing if this coroutine (and its timer) is gone by then.
    //
    // Check: ./workbook test 5   Stuck? ./workbook hint 05.5
    mini_redis::todo("05.5", "book/05-expiration.md#exercise-055-the-wake-up");
    // END EXERCISE 05.5
    // [end book: wake-up]
    // [book: unhook]
    // Whether this coroutine returns or is destroyed with its io_context, unhook the wake-up:
    // the Db may outlive both.
    struct Unhook {
        Db& db;
        ~Unhook() { db.on_earlier_deadline(nullptr); }
    } unhook{db};
    // [end book: unhook]

    // [book: purge-loop]
    // EXERCISE 05.6: Sleep until the next deadline, purge, repeat
    //
    // Until the Db is shut down: purge the expired keys (db.purge_expired() returns the next
    // deadline), set the timer to that deadline (or Timer::time_point::max() when there is
    // none), and co_await the timer. A wake-up cancels the wait early; that is not an error,
    // just loop again. Sleep exactly until the deadline: no polling.
    //
    // Check: ./workbook test 5   Stuck? ./workbook hint 05.6
    co_await mini_redis::co_todo("05.6", "book/05-expiration.md#exercise-056-the-purge-loop");
    // END EXERCISE 05.6
    // [end book: purge-loop]
}

}  // namespace mini_redis
