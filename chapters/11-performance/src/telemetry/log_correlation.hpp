// Logs and traces, joined: a log line written while a command's span is active carries that
// span's trace and span ids, so a backend (or grep) goes from one to the other.
// Book: chapter 10, "Logs that point at traces".
#pragma once

#include "telemetry/span.hpp"

namespace mini_redis::telemetry {

/// Makes `span` the active span of this thread for as long as the guard lives, then restores
/// what was active before. Use it around synchronous work only: a coroutine that suspends may
/// resume on another thread, and another session may run on this one meanwhile.
class ActiveSpan {
public:
    explicit ActiveSpan(const SpanData* span);
    ~ActiveSpan();
    ActiveSpan(const ActiveSpan&) = delete;
    ActiveSpan& operator=(const ActiveSpan&) = delete;

private:
    const SpanData* previous_;
};

/// The span active on this thread, or null.
const SpanData* active_span();

/// Sets spdlog's default logger to the usual pattern followed by " trace_id=... span_id=..."
/// on lines logged while a span is active. Call it after init_logging, before threads start.
void correlate_logs();

}  // namespace mini_redis::telemetry
