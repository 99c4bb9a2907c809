// Outbox: everything waiting to be written to one client, from whichever thread produced it.
//
// Until chapter 05 only the session itself wrote to its client. With publish/subscribe, other
// sessions, on other threads, send this client messages at any moment. So each connection gets
// an outbox that anyone may put encoded frames into, and a writer coroutine of its own that
// empties it onto the socket. Book: chapter 06, "Reader, writer and outbox".
#pragma once

#include "frame.hpp"
#include "net.hpp"
#include "recipient.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace mini_redis {

/// A thread-safe queue of encoded frames for one connection, with two bounds on the bytes not
/// yet written (queued, plus the batch the writer is writing):
///
/// - The session's own replies (queue()) are never refused. Instead the session waits before
///   reading the next request while more than `reply_backlog` bytes wait (wait_for_room()), so
///   a client that sends without reading cannot make us store replies without end.
/// - Messages from publishers (deliver(), through Db::publish) cannot wait: a publisher must
///   never be slowed by someone else's slow subscriber. Once more than `message_limit` bytes
///   wait, the outbox refuses the message, drops what it holds and closes, and the connection is
///   dropped. Redis does the same with its pubsub output-buffer limit (32 MiB by default).
///
/// queue(), deliver() and close() may be called from any thread. take() and wait_for_room()
/// must run on `strand`, the connection's strand, where its reader and writer coroutines run.
/// Always owned by a std::shared_ptr (make_shared): wake-ups in flight keep it alive.
class Outbox : public Recipient, public std::enable_shared_from_this<Outbox> {
public:
    /// The backlog of replies above which the reader pauses.
    static constexpr std::size_t reply_backlog = 256 * 1024;

    /// The largest write buffer a connection keeps between batches; a larger one, grown for a
    /// large reply, is given back to the allocator once written.
    static constexpr std::size_t kept_buffer = 64 * 1024;

    Outbox(asio::any_io_executor strand, std::size_t message_limit);

    /// Encodes a reply to this client's own request into the queue.
    void queue(const Frame& frame);

    /// Appends an encoded message from a publisher, unless that would pass the limit: then the
    /// outbox closes and this returns false. Recipient's interface, called by Db::publish.
    bool deliver(std::string_view encoded) override;

    /// No more frames will be accepted; the writer sends what is queued, then take() says so.
    void close();

    /// Gives up on the client: drops what is queued, closes, and cancels the write in progress.
    /// For a shutdown that cannot wait any longer for a client that does not read.
    void abort();

    /// True if close() came from deliver(): the client could not keep up with its messages.
    bool overflowed() const;

    /// True once the outbox gave up on the client (abort(), or an overflow): what was unsent is
    /// dropped, so the connection closes at once, without a lingering close.
    bool given_up() const;

    /// The writer's side: suspends until something is queued or the outbox is closed. Swaps the
    /// queued bytes into `batch` (everything at once: one write for many frames) and returns
    /// true; returns false once the outbox is closed and empty. Calling it again says the last
    /// batch is written: until then its bytes count against both bounds, like queued ones.
    asio::awaitable<bool> take(std::string& batch);

    /// The reader's side: suspends while more than reply_backlog bytes wait to be written
    /// (queued, or in the batch being written).
    asio::awaitable<void> wait_for_room();

    /// True when wait_for_room() would return at once: at most reply_backlog bytes wait, or the
    /// outbox is closed. A plain call, where wait_for_room() is a coroutine: the reader asks
    /// this first after each request, and starts the coroutine only when it must wait.
    bool has_room() const;

    /// The writer binds its socket writes to this slot: when the outbox overflows, the write in
    /// progress is cancelled. (A subscriber that reads nothing never lets that write finish, so
    /// without this the writer would never come back to notice it should stop.)
    asio::cancellation_slot write_cancellation() { return stop_writing_.slot(); }

    /// Sets what is called on the publisher's thread after each message deliver() accepts,
    /// with its size in bytes: chapter 10's sessions record it on their connection's span. Set
    /// it before the outbox subscribes to anything and never again (deliver() reads it without
    /// the lock); like deliver(), it runs with the Db's channel lock held, so it must be quick.
    void on_delivery(std::function<void(std::size_t)> observer)
    {
        on_delivery_ = std::move(observer);
    }

private:
    /// Cuts a wait short, on the strand (a timer is not thread-safe).
    void wake(asio::steady_timer& sleeper);

    /// has_room() for a caller that holds the mutex.
    bool has_room_locked() const { return pending_.size() + writing_ <= reply_backlog || closed_; }

    /// After the outbox was closed and emptied: wakes both sleepers and cancels the write in
    /// progress, so the writer ends now. Call it without the mutex held.
    void cut_off();

    asio::any_io_executor strand_;
    const std::size_t message_limit_;
    asio::steady_timer writer_sleeps_;  // the writer waits on it while there is nothing to send
    asio::steady_timer reader_sleeps_;  // the reader waits on it while the backlog is too big
    asio::cancellation_signal stop_writing_;  // emitted, on the strand, when the outbox overflows
    std::function<void(std::size_t)> on_delivery_;  // set once, before any delivery

    mutable std::mutex mutex_;  // guards everything below
    std::string pending_;
    std::size_t writing_ = 0;  // bytes of the batch the writer took and has not finished
    bool closed_ = false;
    bool overflowed_ = false;
    bool given_up_ = false;
    bool writer_waiting_ = false;
    bool reader_waiting_ = false;
};

}  // namespace mini_redis
