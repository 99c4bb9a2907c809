// The server's tracer: see tracer.hpp. Book: chapter 10, "A span per command".
#include "telemetry/tracer.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <utility>

namespace mini_redis::telemetry {

/// The running export coroutine and what it uses. Shared by the tracer, the coroutine and its
/// completion handler, so whichever ends last frees it. `ended` and `waiting` are touched on
/// `strand` only.
struct Tracer::Export {
    Export(std::unique_ptr<SpanExporter> exporter_, asio::any_io_executor executor,
           std::shared_ptr<SpanQueue> queue_, std::shared_ptr<ExportCounts> counts_)
        : exporter(std::move(exporter_)),
          strand(asio::make_strand(executor)),
          queue(std::move(queue_)),
          counts(std::move(counts_))
    {
    }

    std::unique_ptr<SpanExporter> exporter;
    asio::strand<asio::any_io_executor> strand;
    asio::cancellation_signal cancel;       // cuts the export short, at a shutdown's deadline
    bool ended = false;                     // the coroutine has returned
    asio::steady_timer* waiting = nullptr;  // shutdown's wait, which the end cuts short
    std::shared_ptr<SpanQueue> queue;
    std::shared_ptr<ExportCounts> counts;
};

Tracer::Tracer(const TelemetryConfig& config)
    : config_(config),
      queue_(std::make_shared<SpanQueue>(config.batch)),
      counts_(std::make_shared<ExportCounts>())
{
}

Tracer::~Tracer() = default;

std::vector<Attribute> Tracer::connection_attributes(const tcp::endpoint& peer,
                                                     const tcp::endpoint& local)
{
    return {
        {"db.system.name", std::string("redis")},
        {"network.transport", std::string("tcp")},
        {"network.peer.address", peer.address().to_string()},
        {"network.peer.port", static_cast<std::int64_t>(peer.port())},
        {"server.port", static_cast<std::int64_t>(local.port())},
    };
}

std::optional<SpanData> Tracer::begin_root() const
{
    // EXERCISE 10.22: Begin a root span, or refuse it early
    //
    // Begin a root span, or refuse it as cheaply as can be. A full queue would drop the span at
    // its end: then return nullopt and count it as dropped, but only if the sampler would
    // record it. With always_on, that is known without a trace id: refuse before drawing one.
    // Otherwise draw the trace id (X-Ray's format reads the clock; a random id needs no clock
    // read), return nullopt if the sampler does not record that trace, then if the queue is
    // full. Else fill in a new span id, kind server and the start time (the caller names it).
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.22
    mini_redis::unused(config_);
    mini_redis::todo("10.22", "book/10-observability.md#exercise-1022-refusing-a-span-early");
    // END EXERCISE 10.22
}

std::optional<SpanData> Tracer::start_connection(const std::vector<Attribute>& attributes) const
{
    auto span = begin_root();
    if (span) {
        span->name = "connection";
        span->attributes = attributes;
    }
    return span;
}

// [book: start-command]
std::optional<SpanData> Tracer::start_command(std::string_view command,
                                              const std::vector<Attribute>& connection_attributes,
                                              const std::optional<Link>& connection) const
{
    // EXERCISE 10.3: Begin a command's span
    //
    // Begin a command's span with begin_root, or return nullopt when it does (the sampler does
    // not record the trace, or the queue is full); only then build the name, so a refused span
    // costs nothing more. Its name is the command in upper case ("GET"), or "redis" when
    // `command` is empty (an unknown command: a client must not be able to invent span names).
    // Add the connection's attributes (a copy of `connection_attributes`), db.operation.name
    // (the upper-case name, only for a known command), and the link to the connection's span
    // when there is one.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.3
    mini_redis::unused(command, connection_attributes, connection);
    mini_redis::todo("10.3", "book/10-observability.md#exercise-103-a-commands-span");
    // END EXERCISE 10.3
}
// [end book: start-command]

void Tracer::set_error(SpanData& span, std::string_view error_reply)
{
    // EXERCISE 10.4: Mark a span as failed
    //
    // Mark `span` as failed: status error, the whole error reply as the status message, and the
    // reply's first word (its error code: "ERR", "WRONGTYPE") as both error.type and
    // db.response.status_code.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.4
    mini_redis::unused(span, error_reply);
    mini_redis::todo("10.4", "book/10-observability.md#exercise-104-failed-commands");
    // END EXERCISE 10.4
}

void Tracer::end(SpanData span)
{
    span.end_time_unix_nano = now_unix_nano();
    queue_->push(std::move(span));
}

void Tracer::start_export(asio::any_io_executor executor, std::unique_ptr<SpanExporter> exporter)
{
    auto state = std::make_shared<Export>(std::move(exporter), executor, queue_, counts_);
    export_ = state;
    // The completion handler runs on the strand too (co_spawn's executor), where `ended` and
    // `waiting` live.
    asio::co_spawn(
        state->strand, run_export(state),
        asio::bind_cancellation_slot(state->cancel.slot(), [state](std::exception_ptr error) {
            state->ended = true;
            if (state->waiting != nullptr) {
                state->waiting->cancel();
            }
            try {
                if (error) {
                    std::rethrow_exception(error);
                }
            } catch (const std::exception& e) {
                spdlog::error("telemetry: the span exporter failed: {}; no more spans are sent",
                              e.what());
            }
        }));
}

asio::awaitable<void> Tracer::shutdown(std::chrono::milliseconds grace)
{
    queue_->close();  // the exporter sends what is left, then ends
    if (!export_) {
        co_return;
    }
    auto waiting =
        asio::co_spawn(export_->strand, wait_for_export(export_, grace), asio::use_awaitable);
    co_await std::move(waiting);
    spdlog::info("telemetry: {} spans exported, {} given up after retries, {} dropped (queue full)",
                 counts_->exported.load(), counts_->failed.load(), queue_->dropped());
}

asio::awaitable<void> Tracer::run_export(std::shared_ptr<Export> state)
{
    co_await export_batches(*state->queue, *state->exporter, *state->counts);
}

asio::awaitable<void> Tracer::wait_for_export(std::shared_ptr<Export> state,
                                              std::chrono::milliseconds grace)
{
    // EXERCISE 10.15: Wait for the export, then cut it off
    //
    // On the export's strand: wait until the export coroutine has ended (its completion handler
    // cancels state->waiting) or `grace` has passed; if it has not ended by then, cancel it
    // (state->cancel.emit(terminal)) and wait until it has. Leave state->waiting null at the
    // end.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.15
    mini_redis::unused(state, grace);
    co_await mini_redis::co_todo("10.15", "book/10-observability.md#exercise-1015-flushing-at-shutdown");
    // END EXERCISE 10.15
}

}  // namespace mini_redis::telemetry
