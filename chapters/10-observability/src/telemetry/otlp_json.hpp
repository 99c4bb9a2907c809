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

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace mini_redis::telemetry {

/// The name and version of what made the spans (OTLP's InstrumentationScope).
inline constexpr const char* scope_name = "mini-redis";

/// Encodes batch after batch into memory it keeps: the arena its JSON tree is built in, and
/// the text's buffer, are reused, so a busy exporter neither calls malloc per node nor touches
/// fresh pages for every batch (the kernel would have to zero them). One batch at a time.
class OtlpJsonEncoder {
public:
    /// Writes into `out` (cleared first, its capacity kept) the ExportTraceServiceRequest holding
    /// `spans`, as JSON text: one resourceSpans entry with `resource`'s attributes, holding one
    /// scopeSpans entry (scope_name, the server's version), holding the spans in order.
    void encode(const std::vector<SpanData>& spans, const std::vector<Attribute>& resource,
                std::string& out);

private:
    std::unique_ptr<unsigned char[]> arena_;  // the tree's first block, kept between batches
    std::size_t arena_size_ = 0;
};

/// The same as OtlpJsonEncoder::encode, in a new string, with memory of its own: for tests.
std::string encode_export_request(const std::vector<SpanData>& spans,
                                  const std::vector<Attribute>& resource);

}  // namespace mini_redis::telemetry
