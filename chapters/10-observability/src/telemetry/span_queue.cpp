// The bounded queue of finished spans: see span_queue.hpp. Book: chapter 10, "A queue that
// never waits".
#include "telemetry/span_queue.hpp"

#include "mini_redis/exercise.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace mini_redis::telemetry {

SpanQueue::SpanQueue(BatchOptions options) : options_(options) {}

// [book: push]
bool SpanQueue::push(SpanData span)
{
    // EXERCISE 10.7: Queue a span without ever waiting
    //
    // Add `span` to the queue and return true, unless the queue is closed or already holds
    // max_queue_size spans: then count it in dropped_ and return false, without waiting. When
    // the push fills the queue (max_queue_size spans), set full_, which sessions read without
    // the lock. When it brings the queue to exactly max_export_batch_size spans, call the
    // wake-up (wake_), once the lock is released.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.7
    mini_redis::unused(span, options_);
    mini_redis::todo("10.7", "book/10-observability.md#exercise-107-pushing-a-span");
    // END EXERCISE 10.7
}
// [end book: push]

std::vector<SpanData> SpanQueue::take_batch()
{
    // EXERCISE 10.21: Take the oldest spans, a batch at most
    //
    // Take up to max_export_batch_size spans out of the queue, the oldest first, and return
    // them. Then clear full_ (there is room again), unless the queue is closed.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.21
    mini_redis::todo("10.21", "book/10-observability.md#exercise-1021-taking-a-batch");
    // END EXERCISE 10.21
}

void SpanQueue::close()
{
    std::function<void()> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        full_ = true;
        wake = wake_;
    }
    if (wake) {
        wake();
    }
}

void SpanQueue::on_batch_ready(std::function<void()> wake)
{
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
}

std::size_t SpanQueue::size() const
{
    std::lock_guard lock(mutex_);
    return spans_.size();
}

bool SpanQueue::closed() const
{
    std::lock_guard lock(mutex_);
    return closed_;
}

std::uint64_t SpanQueue::dropped() const
{
    std::lock_guard lock(mutex_);
    return dropped_;
}

}  // namespace mini_redis::telemetry
