// OtlpHttpExporter: sends batches of spans to an OpenTelemetry collector with OTLP/HTTP, as
// JSON, over one kept-alive connection, retrying what the OTLP specification says may succeed
// later. Book: chapter 10, "Sending it: OTLP over HTTP".
#pragma once

#include "net.hpp"
#include "telemetry/config.hpp"
#include "telemetry/exporter.hpp"
#include "telemetry/otlp_json.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mini_redis::telemetry {

/// When to try again. OTLP/HTTP says: retry on 429, 502, 503 and 504 and when the connection
/// fails, waiting longer each time (exponential back-off, with jitter so that many servers
/// refused at once do not all come back at once), and honour a Retry-After header.
struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{5000};
    double multiplier = 1.5;
};

/// The HTTP statuses OTLP/HTTP says may succeed if sent again.
bool retryable_status(unsigned status);

/// How long to wait before attempt `attempt` (2 for the first retry, ...): initial_backoff
/// times multiplier^(attempt - 2), at most max_backoff, then a random share of that between
/// half and all of it (the jitter). `retry_after`, a server's Retry-After, wins when given.
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt,
                                  std::optional<std::chrono::milliseconds> retry_after);

/// Sends spans as OTLP/JSON POST requests to one endpoint. export_batch runs one batch at a
/// time (the export coroutine awaits each before the next): the connection is not shared.
class OtlpHttpExporter : public SpanExporter {
public:
    /// Connects lazily: nothing happens until the first export_batch. Throws ConfigError when
    /// config.endpoint is not an http:// URL (HttpEndpoint::parse). The exporter must outlive
    /// every export_batch it starts; `executor` runs its socket and timers.
    OtlpHttpExporter(asio::any_io_executor executor, const TelemetryConfig& config,
                     RetryPolicy retry = {});
    ~OtlpHttpExporter() override;

    /// Encodes `spans` once, then POSTs them, retrying as RetryPolicy says, each request within
    /// the configured request timeout and all of them before `deadline`. True on a 2xx.
    /// Failures are logged (once per batch), never thrown. A terminal cancellation of the
    /// awaiting coroutine (a shutdown's deadline) ends it promptly with false, whether it is
    /// waiting for the collector or waiting to retry; only a host name lookup cannot be cut short.
    asio::awaitable<bool> export_batch(std::vector<SpanData> spans,
                                       std::chrono::steady_clock::time_point deadline) override;

private:
    struct Connection;  // the socket and its buffers (Beast), in otlp_http.cpp
    asio::any_io_executor executor_;
    HttpEndpoint endpoint_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::vector<Attribute> resource_;
    std::chrono::milliseconds request_timeout_;
    RetryPolicy retry_;
    std::unique_ptr<Connection> connection_;  // null until the first request, or after a failure
    std::string body_;                        // the last batch's JSON, its capacity reused
};

}  // namespace mini_redis::telemetry
