// SpanQueue: finished spans waiting to be exported, bounded, and never in a request's way.
//
// A session ends a span on its own thread and must go straight on to the next request: it
// cannot wait for a collector that is slow, down, or far away. So it only puts the span here,
// and a background coroutine (batch_export.hpp) sends spans in batches. When the queue is full
// because the collector cannot keep up, the new span is dropped and counted: losing telemetry
// is better than slowing the server it describes, or letting it grow without bound.
// Book: chapter 10, "A queue that never waits".
#pragma once

#include "telemetry/span.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace mini_redis::telemetry {

/// The batch span processor's settings, with OpenTelemetry's defaults and the environment
/// variables that change them (OTEL_BSP_*).
struct BatchOptions {
    std::size_t max_queue_size = 2048;        // OTEL_BSP_MAX_QUEUE_SIZE
    std::size_t max_export_batch_size = 512;  // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
    std::chrono::milliseconds schedule_delay{
        5000};  // OTEL_BSP_SCHEDULE_DELAY: the longest a span waits
    std::chrono::milliseconds export_timeout{
        30000};  // OTEL_BSP_EXPORT_TIMEOUT: one batch, retries included
};

/// A bounded, thread-safe queue of finished spans. push() may be called from any thread and
/// never waits; take_batch() is for the export coroutine.
class SpanQueue {
public:
    explicit SpanQueue(BatchOptions options);

    /// Adds a finished span, unless the queue holds max_queue_size spans already or is closed:
    /// then the span is dropped, counted in dropped(), and this returns false. When the queue
    /// reaches a full batch (max_export_batch_size), calls the wake-up set by on_batch_ready,
    /// so the exporter need not wait for its timer.
    bool push(SpanData span);

    /// Takes up to max_export_batch_size spans, the oldest first.
    std::vector<SpanData> take_batch();

    /// No more spans are accepted; calls the wake-up, so the exporter sends what is left.
    void close();

    /// How the export coroutine is woken (from whichever thread pushed or closed). Empty: none.
    void on_batch_ready(std::function<void()> wake);

    std::size_t size() const;
    bool closed() const;

    /// Whether push() would drop a span now (the queue is full or closed). A session asks before
    /// it builds a span, for every command: so this takes no lock, and reads a flag that push(),
    /// take_batch() and close() keep true while there is no room.
    bool full() const { return full_.load(std::memory_order_relaxed); }

    /// Counts a span dropped before it was built, because full() said so. Takes no lock either.
    void count_dropped() { ++dropped_; }

    /// Spans dropped because the queue was full or closed, since the start.
    std::uint64_t dropped() const;
    const BatchOptions& options() const { return options_; }

private:
    const BatchOptions options_;
    mutable std::mutex mutex_;
    std::deque<SpanData> spans_;
    std::atomic<bool> full_{false};  // no room (or closed): set and cleared under mutex_
    std::atomic<std::uint64_t> dropped_{0};
    bool closed_ = false;
    std::function<void()> wake_;
};

}  // namespace mini_redis::telemetry
