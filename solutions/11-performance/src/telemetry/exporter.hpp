// SpanExporter: where batches of spans go. The export coroutine (batch_export.hpp) knows only
// this interface; the server plugs in the OTLP/HTTP exporter (otlp_http.hpp), tests a fake that
// records what it is given or fails when told to. Book: chapter 10, "Exporting in batches".
#pragma once

#include "net.hpp"
#include "telemetry/span.hpp"

#include <chrono>
#include <vector>

namespace mini_redis::telemetry {

/// Sends batches of finished spans somewhere.
class SpanExporter {
public:
    virtual ~SpanExporter() = default;

    /// Sends `spans`, retrying what may succeed later, until `deadline` (steady clock) at the
    /// latest. Returns true once the receiver has accepted them, false when they are given up
    /// (the receiver refused them for good, or the deadline passed). Never throws: a failed
    /// export loses telemetry, and must not end the coroutine that exports.
    virtual asio::awaitable<bool> export_batch(std::vector<SpanData> spans,
                                               std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace mini_redis::telemetry
