// A span: one piece of work the server did, with when it began and ended, what it was, and
// how it went. This is the record the tracer fills in and the exporter sends, in the shape of
// OTLP's Span message (opentelemetry/proto/trace/v1/trace.proto), without the wire format.
// Book: chapter 10, "Spans and traces".
#pragma once

#include "telemetry/ids.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mini_redis::telemetry {

/// An attribute's value: OTLP's AnyValue, the kinds a span here uses.
using AttributeValue = std::variant<std::string, std::int64_t, bool, double>;

/// A key and its value, e.g. {"db.system.name", "redis"}. Keys follow OpenTelemetry's semantic
/// conventions, so any backend knows what they mean.
struct Attribute {
    std::string key;
    AttributeValue value;
    bool operator==(const Attribute&) const = default;
};

/// What the span stands for, as OTLP numbers it: a server span is work done for a remote
/// caller, an internal one work of our own.
enum class SpanKind { internal = 1, server = 2, client = 3, producer = 4, consumer = 5 };

/// Whether the work succeeded: unset means "nothing to say" (OpenTelemetry's advice for a
/// server's successful request), error that the caller got an error.
enum class StatusCode { unset = 0, ok = 1, error = 2 };

/// Something that happened at one moment during a span (a message delivered, say).
struct Event {
    std::string name;
    std::uint64_t time_unix_nano = 0;
    std::vector<Attribute> attributes;
};

/// A pointer to a span of another trace: a command's span links to its connection's span.
struct Link {
    TraceId trace_id;
    SpanId span_id;
};

/// A finished (or running) span. Times are nanoseconds since the Unix epoch, as OTLP has them.
struct SpanData {
    TraceId trace_id;
    SpanId span_id;
    SpanId parent_span_id;  // all zero for a root span
    std::string name;
    SpanKind kind = SpanKind::internal;
    std::uint64_t start_time_unix_nano = 0;
    std::uint64_t end_time_unix_nano = 0;
    std::vector<Attribute> attributes;
    std::vector<Event> events;
    std::uint32_t dropped_events_count = 0;  // events past max_events, not kept
    std::vector<Link> links;
    StatusCode status = StatusCode::unset;
    std::string status_message;

    /// At most this many events are kept per span (OpenTelemetry's default event count limit):
    /// a subscriber's connection may see millions of messages, and its span must not grow with
    /// them. Later events are only counted.
    static constexpr std::size_t max_events = 128;

    /// Adds an event, or counts it as dropped once max_events are kept.
    void add_event(Event event);
};

/// Now, in nanoseconds since the Unix epoch (the system clock: spans are read next to other
/// machines' spans, so steady_clock's private epoch would mean nothing).
std::uint64_t now_unix_nano();

}  // namespace mini_redis::telemetry
