// LiveSessions: how many sessions are running, and a way to wait until none is.
//
// The accept loop counts sessions to enforce the connection limit (chapter 07); a graceful
// shutdown must also *wait* for them to finish (chapter 08). Book: chapter 08, "Waiting for
// everyone".
#pragma once

#include "net.hpp"

#include <cstddef>
#include <memory>
#include <mutex>

namespace mini_redis {

/// A thread-safe count of live sessions. add() and remove() may be called from any thread;
/// wait_until_none() only from a coroutine on `strand`. Always owned by a std::shared_ptr.
class LiveSessions : public std::enable_shared_from_this<LiveSessions> {
public:
    explicit LiveSessions(asio::any_io_executor strand);

    std::size_t count() const;
    void add();
    void remove();

    /// Suspends until the count is zero (at once if it is). The same look-then-sleep pattern as
    /// the Outbox: remove() wakes the sleeper on the strand, so the wake-up is never lost.
    asio::awaitable<void> wait_until_none();

private:
    asio::any_io_executor strand_;
    asio::steady_timer sleeper_;
    mutable std::mutex mutex_;  // guards the two below
    std::size_t count_ = 0;
    bool waiting_ = false;
};

/// One live client, counted in a LiveSessions: added when the slot is made, removed when it is
/// destroyed, with the session that owns it. Move-only.
class ClientSlot {
public:
    explicit ClientSlot(std::shared_ptr<LiveSessions> live) : live_(std::move(live))
    {
        live_->add();
    }
    ClientSlot(ClientSlot&&) = default;
    ClientSlot& operator=(ClientSlot&&) = delete;
    ~ClientSlot()
    {
        if (live_) {
            live_->remove();
        }
    }

private:
    std::shared_ptr<LiveSessions> live_;
};

}  // namespace mini_redis
