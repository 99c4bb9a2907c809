// The server's tracer: see tracer.hpp. Book: chapter 10, "A span per command".
#include "telemetry/tracer.hpp"

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
    // The exporter is behind: a span begun now would be dropped at its end. Under more load than
    // the exporter keeps up with, that is most commands, so the queue is asked first, and with
    // every trace recorded (always_on) a full queue settles it: not even an id is drawn.
    const bool full = queue_->full();
    if (full && config_.sampler.kind == Sampler::Kind::always_on) {
        queue_->count_dropped();
        return std::nullopt;
    }
    SpanData span;
    // Only X-Ray's ids hold the time: a random one does without the clock read.
    span.trace_id = new_trace_id(config_.id_format, config_.id_format == IdFormat::xray
                                                        ? std::chrono::system_clock::now()
                                                        : std::chrono::system_clock::time_point{});
    if (!config_.sampler.should_sample(span.trace_id)) {
        return std::nullopt;  // never going to be queued: not dropped either
    }
    if (full) {
        queue_->count_dropped();
        return std::nullopt;
    }
    span.span_id = new_span_id();
    span.kind = SpanKind::server;
    span.start_time_unix_nano = now_unix_nano();
    return span;
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

std::optional<SpanData> Tracer::start_command(std::string_view command,
                                              const std::vector<Attribute>& connection_attributes,
                                              const std::optional<Link>& connection) const
{
    // The span first: when it is refused (not sampled, or the queue is full), which under load
    // is most commands, the name is never built.
    auto span = begin_root();
    if (!span) {
        return span;
    }
    std::string operation(command);
    std::transform(operation.begin(), operation.end(), operation.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    span->name = operation.empty() ? "redis" : operation;
    // Room for the connection's attributes and the three a command's span may add (its
    // operation, and an error's two): a vector that grew one by one would allocate again.
    span->attributes.reserve(connection_attributes.size() + 3);
    span->attributes.insert(span->attributes.end(), connection_attributes.begin(),
                            connection_attributes.end());
    if (!operation.empty()) {
        span->attributes.push_back({"db.operation.name", std::move(operation)});
    }
    if (connection) {
        span->links.push_back(*connection);
    }
    return span;
}

void Tracer::set_error(SpanData& span, std::string_view error_reply)
{
    span.status = StatusCode::error;
    span.status_message = std::string(error_reply);
    const auto code = std::string(error_reply.substr(0, error_reply.find(' ')));
    span.attributes.push_back({"error.type", code});
    span.attributes.push_back({"db.response.status_code", code});
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
    asio::steady_timer timer(state->strand, grace);
    state->waiting = &timer;
    if (!state->ended) {
        co_await timer.async_wait(use_tuple);  // the grace, or the export's end cancels it
    }
    if (!state->ended) {
        state->cancel.emit(asio::cancellation_type::terminal);
        timer.expires_at(asio::steady_timer::time_point::max());
        co_await timer.async_wait(use_tuple);
    }
    state->waiting = nullptr;
}

}  // namespace mini_redis::telemetry
