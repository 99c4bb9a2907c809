// Spans as OTLP/JSON: the body of an OTLP/HTTP export request with
// Content-Type: application/json.
//
// OTLP defines its messages in protobuf (opentelemetry/proto/collector/trace/v1); the JSON form
// is protobuf's JSON mapping with OTLP's own differences: field names in lowerCamelCase, trace
// and span ids as hex strings (not base64), enum values as numbers, and 64-bit integers (the
// nanosecond times) as decimal strings, because JSON numbers lose precision past 2^53.
// Book: chapter 10, "OTLP, by hand and by Boost.JSON".
#pragma once

#include "telemetry/span.hpp"

#include <string>
#include <vector>

namespace mini_redis::telemetry {

/// The name and version of what made the spans (OTLP's InstrumentationScope).
inline constexpr const char* scope_name = "mini-redis";

/// Writes into `out` (cleared first, its capacity kept: the exporter reuses one string, so a
/// busy exporter does not touch fresh pages for every batch, which the kernel would have to
/// zero) the ExportTraceServiceRequest holding `spans`, as JSON text: one resourceSpans entry
/// with `resource`'s attributes, holding one scopeSpans entry (scope_name, the server's version),
/// holding the spans in order.
void encode_export_request(const std::vector<SpanData>& spans,
                           const std::vector<Attribute>& resource, std::string& out);

/// The same, in a new string: for tests.
std::string encode_export_request(const std::vector<SpanData>& spans,
                                  const std::vector<Attribute>& resource);

}  // namespace mini_redis::telemetry
