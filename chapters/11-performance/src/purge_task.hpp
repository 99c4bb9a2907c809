// The purge task: a background coroutine that deletes expired keys when their time comes.
//
// It sleeps until the earliest deadline in the Db, deletes what has expired, and sleeps again.
// When a SET brings a deadline earlier than the one it sleeps towards, the Db wakes it so it can
// reschedule; when the Db shuts down, the Db wakes it so it can finish. Book: chapter 05, "The
// purge task".
#pragma once

#include "db.hpp"
#include "net.hpp"

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
    const auto strand = co_await asio::this_coro::executor;
    auto timer = std::make_shared<Timer>(strand);

    // The wake-up, called from whichever thread ran SET: cancel the timer's wait, but on the
    // strand, never directly (a timer is not thread-safe). It holds the timer weakly, so a
    // wake-up that arrives after this coroutine is gone does nothing.
    db.on_earlier_deadline([strand, timer = std::weak_ptr(timer)] {
        asio::post(strand, [timer] {
            if (auto alive = timer.lock()) {
                alive->cancel();
            }
        });
    });
    // Whether this coroutine returns or is destroyed with its io_context, unhook the wake-up:
    // the Db may outlive both.
    struct Unhook {
        Db& db;
        ~Unhook() { db.on_earlier_deadline(nullptr); }
    } unhook{db};

    while (!db.is_shut_down()) {
        const auto next = db.purge_expired();
        // No deadline: sleep "forever"; a SET with an expiry or the shutdown will wake us.
        timer->expires_at(next ? typename Timer::time_point(next->time_since_epoch())
                               : Timer::time_point::max());
        // Suspends until the deadline, or until a wake-up cancels the wait (the error is then
        // operation_aborted). Either way the loop looks at the Db afresh.
        co_await timer->async_wait(use_tuple);
    }
}

}  // namespace mini_redis
