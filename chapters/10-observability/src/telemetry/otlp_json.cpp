// Spans as OTLP/JSON, built with Boost.JSON: the body the exporter POSTs to a collector.
//
// The shape is OTLP's ExportTraceServiceRequest, nested as the protobuf messages nest
// (resourceSpans > scopeSpans > spans), and written the way OTLP's "JSON Protobuf Encoding"
// says: lowerCamelCase field names, ids as lower-case hex, enums as numbers, and every 64-bit
// integer as a decimal string. We build a boost::json::value tree and serialize it once, rather
// than printing text by hand: escaping a command name or an error message that holds quotes,
// backslashes or control bytes is then Boost.JSON's job, and cannot be forgotten in one place.
// Every node of the tree comes from one arena (a monotonic_resource), passed down as `sp`: a
// batch of 512 spans is thousands of nodes, which would otherwise be as many malloc and free
// calls on one of the server's threads. The arena's first block is kept from batch to batch.
// Each object is made with room for its members: one that grows moves them to a new block, and
// the arena frees nothing before the batch is done.
// Book: chapter 10, "OTLP, by hand and by Boost.JSON".
#include "telemetry/otlp_json.hpp"

#include "mini_redis/exercise.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <iterator>
#include <string>
#include <type_traits>
#include <variant>

namespace mini_redis::telemetry {

namespace json = boost::json;

namespace {

// A 64-bit count of nanoseconds, as OTLP/JSON writes every int64 and uint64 field: a decimal
// string. A JSON number would do for today's times (about 1.7e18) only if every reader kept 64
// integer bits; JavaScript's numbers keep 53, so the last digits would be lost.
json::string nanos(std::uint64_t value, const json::storage_ptr& sp)
{
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
    return json::string(json::string_view(digits, static_cast<std::size_t>(end - digits)), sp);
}

// One AnyValue: a JSON object with exactly one member, whose name says the kind. This is how
// protobuf's JSON mapping writes a `oneof`, so the receiver knows a "5" sent as a string from a
// 5 sent as an integer.
json::object any_value(const AttributeValue& value, const json::storage_ptr& sp)
{
    // EXERCISE 10.17: An attribute value as OTLP/JSON
    //
    // Return the OTLP/JSON AnyValue for `value`: {"stringValue": ...}, {"intValue":
    // "<decimal>"} (a string: 64-bit), {"boolValue": ...} or {"doubleValue": ...}; a double
    // JSON cannot hold (NaN, infinities) as the strings "NaN", "Infinity" and "-Infinity", as
    // protobuf's JSON mapping does.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.17
    mini_redis::unused(value, sp);
    mini_redis::todo("10.17", "book/10-observability.md#exercise-1017-an-attribute-value");
    // END EXERCISE 10.17
}

// A list of KeyValue messages: [{"key": ..., "value": {AnyValue}}, ...].
json::array attributes(const std::vector<Attribute>& list, const json::storage_ptr& sp)
{
    json::array out(sp);
    out.reserve(list.size());
    for (const Attribute& attribute : list) {
        json::object pair(2, sp);
        pair["key"] = attribute.key;
        pair["value"] = any_value(attribute.value, sp);
        out.push_back(std::move(pair));
    }
    return out;
}

[[maybe_unused]] json::object event(const Event& e, const json::storage_ptr& sp)
{
    json::object out(3, sp);
    out["timeUnixNano"] = nanos(e.time_unix_nano, sp);
    out["name"] = e.name;
    out["attributes"] = attributes(e.attributes, sp);
    return out;
}

[[maybe_unused]] json::object link(const Link& l, const json::storage_ptr& sp)
{
    json::object out(2, sp);
    out["traceId"] = l.trace_id.hex();
    out["spanId"] = l.span_id.hex();
    return out;
}

json::object span(const SpanData& s, const json::storage_ptr& sp)
{
    // EXERCISE 10.9: A span as OTLP/JSON
    //
    // Build one span's OTLP/JSON object: traceId and spanId in hex, parentSpanId only when
    // valid, name, kind as a number, startTimeUnixNano and endTimeUnixNano as decimal strings
    // (nanos()), attributes (attributes()), events (event()) with droppedEventsCount only when
    // not zero, links (link()), and status {code as a number, message only when not empty}.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.9
    mini_redis::unused(s, sp);
    mini_redis::todo("10.9", "book/10-observability.md#exercise-109-a-span-in-otlpjson");
    // END EXERCISE 10.9
}

}  // namespace

void OtlpJsonEncoder::encode(const std::vector<SpanData>& spans,
                             const std::vector<Attribute>& resource, std::string& out)
{
    {
        // The arena starts in the block kept from the last batch; what more it needs, it takes
        // from the heap, and frees with the tree.
        json::monotonic_resource arena(arena_.get(), arena_size_);
        const json::storage_ptr sp(&arena);
        json::array span_list(sp);
        span_list.reserve(spans.size());
        for (const SpanData& s : spans) {
            span_list.push_back(span(s, sp));
        }

        // One resource (this server) and one instrumentation scope (this code): a request may
        // carry spans of several of each, which is why both are lists.
        json::object scope(sp);
        scope["name"] = scope_name;
        scope["version"] = MINI_REDIS_VERSION;
        json::object scope_spans(sp);
        scope_spans["scope"] = std::move(scope);
        scope_spans["spans"] = std::move(span_list);

        json::object resource_spans(sp);
        resource_spans["resource"].emplace_object()["attributes"] = attributes(resource, sp);
        resource_spans["scopeSpans"].emplace_array().push_back(std::move(scope_spans));

        json::object request(sp);
        request["resourceSpans"].emplace_array().push_back(std::move(resource_spans));

        out.clear();
        json::serializer writer;
        writer.reset(&request);
        char chunk[16 * 1024];
        while (!writer.done()) {
            out.append(writer.read(chunk));
        }
    }
    // The tree took a few times the text's size: keep a block that large for the next batch.
    if (arena_size_ < 3 * out.size()) {
        arena_size_ = 3 * out.size();
        arena_ = std::make_unique_for_overwrite<unsigned char[]>(arena_size_);
    }
}

std::string encode_export_request(const std::vector<SpanData>& spans,
                                  const std::vector<Attribute>& resource)
{
    std::string out;
    OtlpJsonEncoder().encode(spans, resource, out);
    return out;
}

}  // namespace mini_redis::telemetry
