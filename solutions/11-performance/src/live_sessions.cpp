// Counting live sessions and waiting for none: see live_sessions.hpp.
#include "live_sessions.hpp"

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

asio::awaitable<void> LiveSessions::wait_until_none()
{
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (count_ == 0) {
                co_return;
            }
            waiting_ = true;
        }
        sleeper_.expires_at(asio::steady_timer::time_point::max());
        co_await sleeper_.async_wait(use_tuple);
    }
}

}  // namespace mini_redis
