// Tracer: what the server calls to trace its work. It starts spans with fresh ids, asks the
// sampler whether to record them, and hands finished ones to the queue, from which the export
// coroutine sends them. Book: chapter 10, "A span per command".
//
// Each command gets a span of its own trace, linked to the span of its connection, rather than
// being a child of it: a connection may live for days and run millions of commands, and one
// trace that size is one no backend shows well, nor can it be sampled by the command. The link
// still leads from any command to the connection it came on.
#pragma once

#include "net.hpp"
#include "telemetry/batch_export.hpp"
#include "telemetry/config.hpp"
#include "telemetry/exporter.hpp"
#include "telemetry/span.hpp"
#include "telemetry/span_queue.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mini_redis::telemetry {

/// One server's tracer. Sessions share it through a pointer that is null when tracing is off,
/// so a server without telemetry pays one comparison per command and nothing else. Every
/// method may be called from any thread.
class Tracer {
public:
    explicit Tracer(const TelemetryConfig& config);
    ~Tracer();

    /// The attributes every span of one client's connection carries, under OpenTelemetry's
    /// names: the database system, the transport, the client's address and port, and our port.
    /// A session makes them once, as the client connects, and hands them to start_connection
    /// and start_command: they never change while the client stays, and the address's text
    /// alone (inet_ntop) was a third of the instructions a kept command's span cost.
    static std::vector<Attribute> connection_attributes(const tcp::endpoint& peer,
                                                        const tcp::endpoint& local);

    /// The span of one client's connection, begun now: kind server, named "connection", with
    /// the connection's `attributes`. Nullopt when the sampler does not record it, or the
    /// queue is full.
    std::optional<SpanData> start_connection(const std::vector<Attribute>& attributes) const;

    /// The span of one command, begun now: kind server, named after the command in upper case
    /// ("GET"; "redis" when it is unknown, since a name any client can invent would make
    /// countless span names), with its connection's attributes and db.operation.name, and a
    /// link to the connection's span when that was recorded. Nullopt when the sampler does not
    /// record it, or the queue is full (the span is then counted as dropped, and costs nothing
    /// more).
    std::optional<SpanData> start_command(std::string_view command,
                                          const std::vector<Attribute>& connection_attributes,
                                          const std::optional<Link>& connection) const;

    /// Marks `span` as failed, as OpenTelemetry's conventions for a database say: status error
    /// with the error reply as its message, and error.type and db.response.status_code set to
    /// the reply's first word (its error code, "ERR" or "WRONGTYPE").
    static void set_error(SpanData& span, std::string_view error_reply);

    /// Ends `span` now and queues it for export. Never waits: when the queue is full, the span
    /// is dropped and counted (dropped()).
    void end(SpanData span);

    /// Starts the export coroutine on a strand of `executor`, sending through `exporter`.
    /// Destroy the tracer before that io_context (declare the io_context first): the tracer
    /// keeps the strand, and a strand must not outlive its io_context. The coroutine itself
    /// shares the queue with the tracer, so it may outlive it.
    void start_export(asio::any_io_executor executor, std::unique_ptr<SpanExporter> exporter);

    /// Closes the queue and gives the export coroutine until `grace` has passed to send what is
    /// left; then cancels it. Completes once it has ended (at once if it never started).
    asio::awaitable<void> shutdown(std::chrono::milliseconds grace);

    std::uint64_t dropped() const { return queue_->dropped(); }
    const ExportCounts& counts() const { return *counts_; }
    SpanQueue& queue() { return *queue_; }

private:
    struct Export;  // the running export coroutine: its exporter, cancellation and end

    /// A root span of kind server, begun now, without a name (the caller names it once it is
    /// sure to keep it): its trace id drawn first, so the sampler can decide from it. Nullopt
    /// when the sampler does not record the trace, or when the queue is full (then counted as
    /// dropped, as the span would be at its end).
    std::optional<SpanData> begin_root() const;

    /// Waits, on the export's strand, until the export coroutine has ended or `grace` has
    /// passed; then cancels it, and waits for it to end, which it does at its next await.
    static asio::awaitable<void> wait_for_export(std::shared_ptr<Export> state,
                                                 std::chrono::milliseconds grace);

    /// The export coroutine, holding what it uses for as long as its frame exists: an
    /// io_context destroys the frames of coroutines it never finished, maybe after the tracer.
    static asio::awaitable<void> run_export(std::shared_ptr<Export> state);

    const TelemetryConfig config_;
    std::shared_ptr<SpanQueue> queue_;
    std::shared_ptr<ExportCounts> counts_;
    std::shared_ptr<Export> export_;
};

}  // namespace mini_redis::telemetry
