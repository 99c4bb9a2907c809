// Chapter 10: the span queue and the export coroutine, with a fake exporter and the manual
// clock: batches by size and by time, spans dropped and counted when the queue is full, what
// is left sent on close, and a shutdown that gives a stuck exporter its grace and no more.
#include "telemetry/batch_export.hpp"
#include "telemetry/tracer.hpp"

#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/manual_clock.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace batch_export_test {

namespace asio = boost::asio;
using mini_redis::testing::eventually;
using mini_redis::testing::ManualClock;
using mini_redis::testing::ManualTimer;
using namespace mini_redis::telemetry;
using namespace std::chrono_literals;

/// An exporter that records each batch's size, and answers as told: accept, refuse, or hold the
/// batch until released (a collector that hangs), giving up if its export is cancelled.
class FakeExporter : public SpanExporter {
public:
    asio::awaitable<bool> export_batch(std::vector<SpanData> spans,
                                       std::chrono::steady_clock::time_point) override
    {
        {
            std::lock_guard lock(mutex_);
            sizes_.push_back(spans.size());
        }
        if (hold_) {
            asio::steady_timer held(co_await asio::this_coro::executor,
                                    asio::steady_timer::time_point::max());
            holding_ = &held;
            co_await held.async_wait(mini_redis::use_tuple);  // released, or cancelled
            holding_ = nullptr;
            if (const auto state = co_await asio::this_coro::cancellation_state;
                state.cancelled() != asio::cancellation_type::none) {
                co_return false;  // the export was cut off: the batch is given up
            }
        }
        co_return !refuse_;
    }

    std::vector<std::size_t> sizes() const
    {
        std::lock_guard lock(mutex_);
        return sizes_;
    }

    std::size_t exported() const
    {
        std::size_t total = 0;
        for (const auto size : sizes()) {
            total += size;
        }
        return total;
    }

    std::atomic<bool> hold_ = false;
    std::atomic<bool> refuse_ = false;
    asio::steady_timer* holding_ = nullptr;  // touched on the export's thread only

private:
    mutable std::mutex mutex_;
    std::vector<std::size_t> sizes_;
};

/// A span with a name, and nothing else: the queue and the loop do not look inside.
SpanData span(const std::string& name)
{
    SpanData data;
    data.name = name;
    return data;
}

/// The export coroutine on the manual clock, running on a thread of its own until it ends.
struct Running {
    explicit Running(SpanQueue& queue, SpanExporter& exporter)
    {
        ManualClock::reset();
        asio::co_spawn(asio::make_strand(context),
                       export_batches<ManualTimer>(queue, exporter, counts),
                       [this](std::exception_ptr) { ended = true; });
        // Up to its first wait, here: it reads the clock for its first deadline before the test
        // moves the clock.
        context.poll();
        thread = std::thread([this] { context.run(); });
    }
    ~Running()
    {
        context.stop();
        thread.join();
    }

    /// Runs `action` on the export's thread (the fake's timer lives there).
    template <class Action>
    void on_export_thread(Action action)
    {
        asio::post(context, action);
    }

    asio::io_context context;
    ExportCounts counts;
    std::atomic<bool> ended = false;
    std::thread thread;
};

BatchOptions small_batches()
{
    BatchOptions options;
    options.max_queue_size = 8;
    options.max_export_batch_size = 4;
    options.schedule_delay = std::chrono::hours(1);
    return options;
}

TEST_CASE("a full batch goes out at once, without waiting for the schedule delay",
          "[ch10][ex10.8][ex10.7][ex10.21]")
{
    SpanQueue queue(small_batches());
    FakeExporter exporter;
    Running running(queue, exporter);
    for (int i = 0; i < 4; ++i) {
        REQUIRE(queue.push(span("GET")));
    }
    REQUIRE(eventually([&] { return exporter.exported() == 4; }));
    CHECK(exporter.sizes() == std::vector<std::size_t>{4});
    CHECK(running.counts.exported == 4);
}

TEST_CASE("spans short of a batch go out once the schedule delay has passed, and not before",
          "[ch10][ex10.8][ex10.21]")
{
    SpanQueue queue(small_batches());
    FakeExporter exporter;
    Running running(queue, exporter);
    REQUIRE(queue.push(span("GET")));
    REQUIRE(queue.push(span("SET")));
    ManualClock::advance(std::chrono::hours(1) - 1ms);
    REQUIRE(queue.push(span("PING")));
    ManualClock::advance(1ms);
    REQUIRE(eventually([&] { return exporter.exported() == 3; }));
    // Sent early (at each push, or before the hour was up), they would have gone in pieces.
    CHECK(exporter.sizes() == std::vector<std::size_t>{3});
}

TEST_CASE(
    "with the exporter stuck and the queue full, new spans are dropped and counted, and push never "
    "waits",
    "[ch10][ex10.7][ex10.8][ex10.21]")
{
    SpanQueue queue(small_batches());
    FakeExporter exporter;
    exporter.hold_ = true;
    Running running(queue, exporter);
    for (int i = 0; i < 4; ++i) {
        REQUIRE(queue.push(span("GET")));
    }
    REQUIRE(eventually([&] { return exporter.sizes().size() == 1; }));  // taken, and held
    for (int i = 0; i < 8; ++i) {
        REQUIRE(queue.push(span("SET")));
    }
    for (int i = 0; i < 5; ++i) {
        CHECK_FALSE(queue.push(span("too many")));
    }
    CHECK(queue.dropped() == 5);
    CHECK(queue.size() == 8);

    exporter.hold_ = false;
    running.on_export_thread([&exporter] {
        if (exporter.holding_ != nullptr) {
            exporter.holding_->cancel();
        }
    });
    REQUIRE(eventually([&] { return exporter.exported() == 12; }));
    CHECK(exporter.sizes() == std::vector<std::size_t>{4, 4, 4});
    CHECK(queue.dropped() == 5);
}

TEST_CASE("closing the queue sends what is left at once, a batch at a time, and the export ends",
          "[ch10][ex10.8]")
{
    SpanQueue queue(small_batches());
    FakeExporter exporter;
    Running running(queue, exporter);
    REQUIRE(queue.push(span("GET")));
    REQUIRE(queue.push(span("GET")));
    queue.close();
    REQUIRE(eventually([&] { return running.ended.load(); }));
    CHECK(exporter.exported() == 2);
    CHECK_FALSE(queue.push(span("late")));
    CHECK(queue.dropped() == 1);
}

TEST_CASE("a batch the exporter gives up on is counted as failed, and the next one still goes",
          "[ch10][ex10.8]")
{
    SpanQueue queue(small_batches());
    FakeExporter exporter;
    exporter.refuse_ = true;
    Running running(queue, exporter);
    for (int i = 0; i < 4; ++i) {
        REQUIRE(queue.push(span("GET")));
    }
    REQUIRE(eventually([&] { return running.counts.failed == 4; }));
    exporter.refuse_ = false;
    for (int i = 0; i < 4; ++i) {
        REQUIRE(queue.push(span("SET")));
    }
    REQUIRE(eventually([&] { return running.counts.exported == 4; }));
    CHECK(running.counts.batches == 2);
}

/// An io_context run by a thread of its own until the test ends, however it ends (an exception
/// from an unfinished exercise included: a thread left running would end the test program).
struct ExportThread {
    ExportThread() : thread([this] { context.run(); }) {}
    ~ExportThread()
    {
        work.reset();
        context.stop();
        thread.join();
    }
    asio::io_context context;
    asio::executor_work_guard<asio::io_context::executor_type> work =
        asio::make_work_guard(context);
    std::thread thread;
};

/// Runs the tracer's shutdown to its end, on the test's thread.
void shut_down(Tracer& tracer, std::chrono::milliseconds grace)
{
    mini_redis::testing::block_on(
        [](Tracer& t, std::chrono::milliseconds g) -> asio::awaitable<int> {
            co_await t.shutdown(g);
            co_return 0;
        }(tracer, grace));
}

TEST_CASE("a tracer's shutdown sends what is queued, and cuts a stuck export off after its grace",
          "[ch10][ex10.15][ex10.8]")
{
    TelemetryConfig config;
    config.enabled = true;
    config.batch = small_batches();

    SECTION("an exporter that answers: every queued span is sent")
    {
        ExportThread running;  // outlives the tracer, which holds a strand of its io_context
        Tracer tracer(config);
        auto exporter = std::make_unique<FakeExporter>();
        auto* fake = exporter.get();
        tracer.start_export(running.context.get_executor(), std::move(exporter));
        tracer.end(span("GET"));
        tracer.end(span("SET"));
        shut_down(tracer, std::chrono::seconds(30));
        CHECK(fake->exported() == 2);
    }
    SECTION("an exporter that never answers: the shutdown ends after the grace")
    {
        ExportThread running;
        Tracer tracer(config);
        auto exporter = std::make_unique<FakeExporter>();
        exporter->hold_ = true;
        tracer.start_export(running.context.get_executor(), std::move(exporter));
        tracer.end(span("GET"));
        shut_down(tracer, std::chrono::milliseconds(50));
        CHECK(tracer.counts().failed == 1);  // cancelled in its export, given up
    }
}

TEST_CASE("with the queue full, a command's span is not even begun, and counts as dropped",
          "[ch10][ex10.22][ex10.3][ex10.7][ex10.21]")
{
    // Building a span that the queue will refuse at its end is work for nothing: under more load
    // than the exporter keeps up with, most spans would be. So a full queue stops a span before
    // it begins, and counts it as the queue would have.
    TelemetryConfig config;
    config.enabled = true;
    config.batch = small_batches();
    Tracer tracer(config);  // no export: nothing takes from the queue
    const mini_redis::tcp::endpoint peer(boost::asio::ip::make_address("127.0.0.1"), 50000);
    const mini_redis::tcp::endpoint local(boost::asio::ip::make_address("127.0.0.1"), 6379);
    const auto client = Tracer::connection_attributes(peer, local);
    for (std::size_t i = 0; i < config.batch.max_queue_size; ++i) {
        auto begun = tracer.start_command("get", client, std::nullopt);
        REQUIRE(begun);
        tracer.end(std::move(*begun));
    }
    CHECK(tracer.dropped() == 0);
    CHECK_FALSE(tracer.start_command("get", client, std::nullopt));
    CHECK_FALSE(tracer.start_connection(client));
    CHECK(tracer.dropped() == 2);
    CHECK(tracer.queue().size() == config.batch.max_queue_size);
    // Once the exporter has taken a batch, there is room again: spans begin again.
    CHECK(tracer.queue().take_batch().size() == config.batch.max_export_batch_size);
    CHECK(tracer.start_command("get", client, std::nullopt));
}

TEST_CASE("a span the sampler would not record is not counted as dropped, full queue or not",
          "[ch10][ex10.22]")
{
    TelemetryConfig config;
    config.enabled = true;
    config.batch = small_batches();
    config.sampler.kind = Sampler::Kind::always_off;
    Tracer tracer(config);
    const mini_redis::tcp::endpoint peer(boost::asio::ip::make_address("127.0.0.1"), 50000);
    const auto client = Tracer::connection_attributes(peer, peer);
    CHECK_FALSE(tracer.start_command("get", client, std::nullopt));
    for (std::size_t i = 0; i < config.batch.max_queue_size; ++i) {
        REQUIRE(tracer.queue().push(span("SET")));
    }
    CHECK_FALSE(tracer.start_command("get", client, std::nullopt));
    CHECK_FALSE(tracer.start_connection(client));
    CHECK(tracer.dropped() == 0);  // not sampled: never going to be queued, so not dropped
}

}  // namespace batch_export_test
