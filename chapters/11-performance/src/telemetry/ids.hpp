// Trace and span ids: the names that tie a span to its trace and to its parent.
//
// OpenTelemetry names a trace with 16 random bytes and a span with 8. They must be unique
// across every process that reports to the same backend, with no coordination between them,
// so they are drawn at random; an id of all zero bytes means "none" (a root span's parent).
// AWS X-Ray wants one more thing of a trace id: its first 4 bytes are the time it began, in
// seconds since the epoch, so X-Ray can find it by time. Book: chapter 10, "Spans and traces".
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace mini_redis::telemetry {

/// 16 bytes naming one trace. All zero: no trace.
struct TraceId {
    std::array<std::uint8_t, 16> bytes{};
    bool valid() const;
    /// 32 lower-case hex digits, as OTLP/JSON and log lines write it.
    std::string hex() const;
    /// The same digits, appended to `out`: the encoder writes thousands, into one string.
    void append_hex(std::string& out) const;
    bool operator==(const TraceId&) const = default;
};

/// 8 bytes naming one span within its trace. All zero: no span (a root span's parent).
struct SpanId {
    std::array<std::uint8_t, 8> bytes{};
    bool valid() const;
    /// 16 lower-case hex digits.
    std::string hex() const;
    /// The same digits, appended to `out`.
    void append_hex(std::string& out) const;
    bool operator==(const SpanId&) const = default;
};

/// How trace ids are made: all random, or X-Ray's (the start time in the first 4 bytes).
enum class IdFormat { random, xray };

/// A new trace id, never all zero. `now` is used by IdFormat::xray only. Any thread may call
/// it: each thread draws from a generator of its own, so there is no lock to wait for.
TraceId new_trace_id(IdFormat format, std::chrono::system_clock::time_point now);

/// A new span id, never all zero. Any thread may call it.
SpanId new_span_id();

}  // namespace mini_redis::telemetry
