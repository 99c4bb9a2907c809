// The export coroutine: sends the queue's spans in batches, by size or by time, in the
// background, so that no request ever waits for the collector. Book: chapter 10, "Exporting in
// batches".
#pragma once

#include "net.hpp"
#include "telemetry/exporter.hpp"
#include "telemetry/span_queue.hpp"

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

    const BatchOptions& options = queue.options();
    auto due = Timer::clock_type::now() + options.schedule_delay;
    for (;;) {
        const bool closed = queue.closed();
        const bool full = queue.size() >= options.max_export_batch_size;
        const bool time_is_up = Timer::clock_type::now() >= due;
        if (full || closed || (time_is_up && queue.size() > 0)) {
            auto batch = queue.take_batch();
            if (batch.empty()) {
                co_return;  // closed, and nothing left
            }
            const auto size = batch.size();
            const bool accepted = co_await exporter.export_batch(
                std::move(batch), std::chrono::steady_clock::now() + options.export_timeout);
            (accepted ? counts.exported : counts.failed) += size;
            ++counts.batches;
            if (const auto state = co_await asio::this_coro::cancellation_state;
                state.cancelled() != asio::cancellation_type::none) {
                co_return;  // the deadline of a shutdown: what is left is given up
            }
            due = Timer::clock_type::now() + options.schedule_delay;
            continue;  // look again: a full batch may be waiting already
        }
        if (time_is_up) {
            due = Timer::clock_type::now() + options.schedule_delay;  // nothing was waiting
        }
        timer->expires_at(due);
        // Until the delay is up, or a wake-up (a full batch, or close) cancels the wait.
        co_await timer->async_wait(use_tuple);
        if (const auto state = co_await asio::this_coro::cancellation_state;
            state.cancelled() != asio::cancellation_type::none) {
            co_return;
        }
    }
}

}  // namespace mini_redis::telemetry
