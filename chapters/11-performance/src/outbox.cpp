// The per-connection outbox: see outbox.hpp. Book: chapter 06, "Reader, writer and outbox".
//
// The waiting follows one pattern, used twice: a coroutine on the strand looks at the state under
// the mutex; if it must wait, it marks itself waiting and sleeps on a timer set to "never". Whoever
// changes the state, on any thread, checks the mark and wakes the sleeper by cancelling its timer
// *on the strand*. Since the look-and-sleep is one uninterrupted step on the strand, the wake-up
// runs either before it (and the look sees the change) or after it (and cuts the sleep short):
// it is never lost.
#include "outbox.hpp"

namespace mini_redis {

Outbox::Outbox(asio::any_io_executor strand, std::size_t message_limit)
    : strand_(strand), message_limit_(message_limit), writer_sleeps_(strand), reader_sleeps_(strand)
{
}

void Outbox::wake(asio::steady_timer& sleeper)
{
    // dispatch, not post: when we already are on the strand (the reader queueing a reply), the
    // cancel runs right here, with no allocation; from another thread it is queued to the strand.
    // The queued handler holds a shared_ptr, so the outbox outlives it even if the connection
    // ends in the meantime.
    asio::dispatch(strand_, [self = shared_from_this(), &sleeper] { sleeper.cancel(); });
}

void Outbox::queue(const Frame& frame)
{
    bool wake_writer = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            return;
        }
        encode(frame, pending_);
        wake_writer = std::exchange(writer_waiting_, false);
    }
    if (wake_writer) {
        wake(writer_sleeps_);
    }
}

bool Outbox::deliver(std::string_view encoded)
{
    bool accepted = false;
    bool wake_writer = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            return false;
        }
        if (pending_.size() + writing_ + encoded.size() > message_limit_) {
            // The client reads too slowly. Waiting would slow the publisher down, and queueing
            // more would let one client use up our memory: drop it, as Redis does.
            closed_ = true;
            overflowed_ = true;
            given_up_ = true;
            pending_.clear();
            pending_.shrink_to_fit();
        } else {
            pending_.append(encoded);
            accepted = true;
        }
        wake_writer = std::exchange(writer_waiting_, false) || closed_;
    }
    if (wake_writer) {
        wake(writer_sleeps_);
    }
    if (!accepted) {
        cut_off();
    } else if (on_delivery_) {
        on_delivery_(encoded.size());
    }
    return accepted;
}

void Outbox::cut_off()
{
    wake(writer_sleeps_);
    wake(reader_sleeps_);  // closed: the reader must not keep waiting for room
    // And the writer, if stuck in a write the client never reads, must give up on it.
    asio::dispatch(strand_, [self = shared_from_this()] {
        self->stop_writing_.emit(asio::cancellation_type::terminal);
    });
}

void Outbox::abort()
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        given_up_ = true;
        pending_.clear();
        pending_.shrink_to_fit();
    }
    cut_off();
}

void Outbox::close()
{
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    wake(writer_sleeps_);
    wake(reader_sleeps_);
}

bool Outbox::overflowed() const
{
    std::lock_guard lock(mutex_);
    return overflowed_;
}

bool Outbox::given_up() const
{
    std::lock_guard lock(mutex_);
    return given_up_;
}

asio::awaitable<bool> Outbox::take(std::string& batch)
{
    // The last batch is written. Its buffer goes back to pending_ below, to be refilled; unless
    // it grew for a large reply: an idle connection should not keep megabytes it used once.
    if (batch.capacity() > kept_buffer) {
        std::string().swap(batch);
    }
    batch.clear();
    bool room_made = false;
    {
        std::lock_guard lock(mutex_);
        writing_ = 0;
        room_made = std::exchange(reader_waiting_, false);
    }
    if (room_made) {
        wake(reader_sleeps_);  // it waits for room, and there is room now (or it waits again)
    }
    for (;;) {
        bool wake_reader = false;
        {
            std::lock_guard lock(mutex_);
            if (!pending_.empty()) {
                batch.swap(pending_);  // pending_ gets batch's old buffer back, to refill
                writing_ = batch.size();
                wake_reader = std::exchange(reader_waiting_, false);
            } else if (closed_) {
                co_return false;
            } else {
                writer_waiting_ = true;
            }
        }
        if (!batch.empty()) {
            if (wake_reader) {
                wake(reader_sleeps_);
            }
            co_return true;
        }
        // Sleep "forever": queue(), deliver() or close() cancels the wait.
        writer_sleeps_.expires_at(asio::steady_timer::time_point::max());
        co_await writer_sleeps_.async_wait(use_tuple);
    }
}

bool Outbox::has_room() const
{
    std::lock_guard lock(mutex_);
    return has_room_locked();
}

asio::awaitable<void> Outbox::wait_for_room()
{
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (has_room_locked()) {
                co_return;
            }
            reader_waiting_ = true;
        }
        reader_sleeps_.expires_at(asio::steady_timer::time_point::max());
        co_await reader_sleeps_.async_wait(use_tuple);
    }
}

}  // namespace mini_redis
