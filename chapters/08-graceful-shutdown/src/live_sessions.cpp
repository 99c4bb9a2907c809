// Counting live sessions and waiting for none: see live_sessions.hpp.
#include "live_sessions.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {

LiveSessions::LiveSessions(asio::any_io_executor strand) : strand_(strand), sleeper_(strand) {}

std::size_t LiveSessions::count() const
{
    std::lock_guard lock(mutex_);
    return count_;
}

void LiveSessions::add()
{
    std::lock_guard lock(mutex_);
    ++count_;
}

// [book: remove]
void LiveSessions::remove()
{
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        wake = --count_ == 0 && std::exchange(waiting_, false);
    }
    if (wake) {
        asio::dispatch(strand_, [self = shared_from_this()] { self->sleeper_.cancel(); });
    }
}
// [end book: remove]

// [book: wait-until-none]
asio::awaitable<void> LiveSessions::wait_until_none()
{
    // EXERCISE 08.8: Wait until no session is live
    //
    // Suspend until the count of live sessions is zero (return at once if it is). remove()
    // wakes you on the strand when the count reaches zero while `waiting_` is set: no wake-up
    // may be lost, even when the last session ends between your look and your sleep.
    //
    // Check: ./workbook test 8   Stuck? ./workbook hint 08.8
    co_await mini_redis::co_todo("08.8", "book/08-graceful-shutdown.md#exercise-088-waiting-until-none-is-live");
    // END EXERCISE 08.8
}
// [end book: wait-until-none]

}  // namespace mini_redis
