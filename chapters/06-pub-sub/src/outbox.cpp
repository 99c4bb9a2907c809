// The per-connection outbox: see outbox.hpp. Book: chapter 06, "Reader, writer and outbox".
//
// The waiting follows one pattern, used twice: a coroutine on the strand looks at the state under
// the mutex; if it must wait, it marks itself waiting and sleeps on a timer set to "never". Whoever
// changes the state, on any thread, checks the mark and wakes the sleeper by cancelling its timer
// *on the strand*. Since the look-and-sleep is one uninterrupted step on the strand, the wake-up
// runs either before it (and the look sees the change) or after it (and cuts the sleep short):
// it is never lost.
#include "outbox.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {

Outbox::Outbox(asio::any_io_executor strand, std::size_t message_limit)
    : strand_(strand), message_limit_(message_limit), writer_sleeps_(strand), reader_sleeps_(strand)
{
}

// [book: wake]
void Outbox::wake(asio::steady_timer& sleeper)
{
    // dispatch, not post: when we already are on the strand (the reader queueing a reply), the
    // cancel runs right here, with no allocation; from another thread it is queued to the strand.
    // The queued handler holds a shared_ptr, so the outbox outlives it even if the connection
    // ends in the meantime.
    asio::dispatch(strand_, [self = shared_from_this(), &sleeper] { sleeper.cancel(); });
}
// [end book: wake]

// [book: queue]
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
// [end book: queue]

// [book: deliver]
bool Outbox::deliver(std::string_view encoded)
{
    bool accepted = false;
    bool wake_writer = false;
    {
        std::lock_guard lock(mutex_);
        // EXERCISE 06.7: Deliver a message, or give up on a subscriber that cannot keep up
        //
        // The mutex is held. If the outbox is closed already, return false. If adding `encoded`
        // would make pending_.size() + writing_ (the batch being written) larger than
        // message_limit_, give up on this subscriber: set closed_ and overflowed_, and free
        // pending_ (clear() and shrink_to_fit()). Otherwise append `encoded` to pending_ and
        // set `accepted`.
        //
        // Check: ./workbook test 6   Stuck? ./workbook hint 06.7
        mini_redis::unused(encoded, writing_, message_limit_);
        mini_redis::todo("06.7", "book/06-pub-sub.md#exercise-067-a-bounded-outbox");
        // END EXERCISE 06.7
        wake_writer = std::exchange(writer_waiting_, false) || closed_;
    }
    // EXERCISE 06.8: Wake whoever must know of a delivery
    //
    // The lock is released. If wake_writer is set, wake the writer. If the message was not
    // accepted (the outbox is closed, maybe by this very overflow), wake the reader too, and
    // emit a terminal cancellation on stop_writing_, on the strand, so that a write the client
    // never reads is given up.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.8
    mini_redis::unused(wake_writer, reader_sleeps_, stop_writing_);
    mini_redis::todo("06.8", "book/06-pub-sub.md#exercise-068-waking-after-a-delivery");
    // END EXERCISE 06.8
    return accepted;
}
// [end book: deliver]

void Outbox::close()
{
    // EXERCISE 06.5: Close the outbox, and tell both sides
    //
    // Mark the outbox closed under the mutex, then wake both the writer and the reader, whether
    // or not they wait now: a writer must send what is left and end, a reader waiting for room
    // must go on.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.5
    mini_redis::todo("06.5", "book/06-pub-sub.md#exercise-065-closing-the-outbox");
    // END EXERCISE 06.5
}

bool Outbox::overflowed() const
{
    std::lock_guard lock(mutex_);
    return overflowed_;
}

// [book: take]
asio::awaitable<bool> Outbox::take(std::string& batch)
{
    // EXERCISE 06.4: Wait until there is something to send
    //
    // The writer calls take(batch) once per batch. First the batch just written is done: drop
    // its buffer if its capacity is over kept_buffer, clear it, set writing_ to 0 under the
    // mutex, and wake the reader if it was waiting for room (reader_waiting_). Then loop: under
    // the mutex, if pending_ holds bytes, swap them into `batch`, set writing_ to their size,
    // and return true (waking a waiting reader); if the outbox is closed and empty, return
    // false; otherwise mark the writer as waiting and, with the mutex released, sleep on
    // writer_sleeps_ until a wake() cancels the sleep, then look again.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.4
    mini_redis::unused(batch, reader_waiting_);
    co_return co_await mini_redis::co_todo<bool>("06.4", "book/06-pub-sub.md#exercise-064-waiting-for-something-to-send");
    // END EXERCISE 06.4
}
// [end book: take]

// [book: wait-for-room]
asio::awaitable<void> Outbox::wait_for_room()
{
    // EXERCISE 06.10: Pause the reader while its replies pile up
    //
    // Return once pending_.size() + writing_ is at most reply_backlog, or the outbox is closed.
    // Otherwise mark the reader as waiting (reader_waiting_), and sleep on reader_sleeps_ until
    // the writer (take()) or close() wakes it, then look again.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.10
    co_await mini_redis::co_todo("06.10", "book/06-pub-sub.md#exercise-0610-pausing-the-reader");
    // END EXERCISE 06.10
}
// [end book: wait-for-room]

}  // namespace mini_redis
