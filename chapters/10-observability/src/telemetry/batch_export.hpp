// The export coroutine: sends the queue's spans in batches, by size or by time, in the
// background, so that no request ever waits for the collector. Book: chapter 10, "Exporting in
// batches".
#pragma once

#include "net.hpp"
#include "telemetry/exporter.hpp"
#include "telemetry/span_queue.hpp"

#include "mini_redis/exercise.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace mini_redis::telemetry {

/// What the export coroutine has done so far; read from any thread (the log, tests).
struct ExportCounts {
    std::atomic<std::uint64_t> exported{0};  // spans the receiver accepted
    std::atomic<std::uint64_t> failed{0};    // spans given up after their batch's retries
    std::atomic<std::uint64_t> batches{0};   // export_batch calls
};

/// Exports `queue`'s spans through `exporter` until the queue is closed and empty.
///
/// A batch goes out as soon as max_export_batch_size spans wait, or when schedule_delay has
/// passed since the last export with at least one span waiting, whichever comes first; each
/// gets export_timeout for its retries. Once the queue is closed, what is left goes out at
/// once, batch after batch, and the coroutine returns. To stop it sooner (a deadline on
/// shutdown), cancel it: the export in progress is abandoned.
///
/// Run it on a strand: push() wakes it from other threads through SpanQueue::on_batch_ready,
/// and, as with the purge task of chapter 05, the strand makes that wake-up safe (a timer is
/// not thread-safe) and impossible to lose (it runs either before the coroutine looks at the
/// queue, or after it has begun to wait, and then cuts the wait short).
///
/// `Timer` measures schedule_delay: asio::steady_timer in the server, a manual clock's timer
/// in tests, which move time forward instead of sleeping.
template <class Timer = asio::steady_timer>
asio::awaitable<void> export_batches(SpanQueue& queue, SpanExporter& exporter, ExportCounts& counts)
{
    // [book: wake-up]
    const auto strand = co_await asio::this_coro::executor;
    auto timer = std::make_shared<Timer>(strand);
    queue.on_batch_ready([strand, timer = std::weak_ptr(timer)] {
        asio::post(strand, [timer] {
            if (auto alive = timer.lock()) {
                alive->cancel();
            }
        });
    });
    // However this coroutine ends (returns, is cancelled, or is destroyed with its io_context),
    // the queue must not call into a timer that is gone.
    struct Unhook {
        SpanQueue& queue;
        ~Unhook() { queue.on_batch_ready(nullptr); }
    } unhook{queue};
    // [end book: wake-up]

    // [book: export-loop]
    // EXERCISE 10.8: Export by size or by time
    //
    // Loop: export a batch (queue.take_batch(), exporter.export_batch with a deadline of now +
    // export_timeout, then count it in `counts`) when a full batch waits, when the queue is
    // closed, or when schedule_delay has passed (on Timer's clock) with at least one span
    // waiting; return once the queue is closed and empty, or when the coroutine is cancelled.
    // Otherwise sleep on `timer` until the delay is up: a wake-up cancels the sleep early.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.8
    mini_redis::unused(exporter, counts);
    co_await mini_redis::co_todo("10.8", "book/10-observability.md#exercise-108-the-export-loop");
    // END EXERCISE 10.8
    // [end book: export-loop]
}

}  // namespace mini_redis::telemetry
