// The bounded queue of finished spans: see span_queue.hpp. Book: chapter 10, "A queue that
// never waits".
#include "telemetry/span_queue.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace mini_redis::telemetry {

SpanQueue::SpanQueue(BatchOptions options) : options_(options) {}

bool SpanQueue::push(SpanData span)
{
    std::function<void()> wake;
    {
        // The lock guards the deque and the counter, and is held for a push_back: the sessions
        // of every thread come through here, so nothing slow may happen under it.
        std::lock_guard lock(mutex_);
        if (closed_ || spans_.size() >= options_.max_queue_size) {
            ++dropped_;
            return false;
        }
        spans_.push_back(std::move(span));
        if (spans_.size() == options_.max_queue_size) {
            full_ = true;  // the sessions stop building spans until take_batch() makes room
        }
        // Wake the exporter once, as the queue reaches a full batch; not on every push after,
        // which would post a wake-up per span while the exporter is busy sending.
        if (spans_.size() == options_.max_export_batch_size) {
            wake = wake_;
        }
    }
    // Called once the lock is released: the lock is for the deque alone, and the sessions of
    // every thread may be waiting for it.
    if (wake) {
        wake();
    }
    return true;
}

std::vector<SpanData> SpanQueue::take_batch()
{
    std::lock_guard lock(mutex_);
    const auto count = std::min(spans_.size(), options_.max_export_batch_size);
    std::vector<SpanData> batch;
    batch.reserve(count);
    std::move(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(count),
              std::back_inserter(batch));
    spans_.erase(spans_.begin(), spans_.begin() + static_cast<std::ptrdiff_t>(count));
    full_ = closed_ || spans_.size() >= options_.max_queue_size;  // room again, unless closed
    return batch;
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
