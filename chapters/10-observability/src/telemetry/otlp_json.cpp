// Spans as OTLP/JSON, built with Boost.JSON: the body the exporter POSTs to a collector.
//
// The shape is OTLP's ExportTraceServiceRequest, nested as the protobuf messages nest
// (resourceSpans > scopeSpans > spans), and written the way OTLP's "JSON Protobuf Encoding"
// says: lowerCamelCase field names, ids as lower-case hex, enums as numbers, and every 64-bit
// integer as a decimal string. We build a boost::json::value tree and serialize it once, rather
// than printing text by hand: escaping a command name or an error message that holds quotes,
// backslashes or control bytes is then Boost.JSON's job, and cannot be forgotten in one place.
// Book: chapter 10, "OTLP, by hand and by Boost.JSON".
#include "telemetry/otlp_json.hpp"

#include "mini_redis/exercise.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

namespace mini_redis::telemetry {

namespace json = boost::json;

namespace {

// A 64-bit count of nanoseconds, as OTLP/JSON writes every int64 and uint64 field: a decimal
// string. A JSON number would do for today's times (about 1.7e18) only if every reader kept 64
// integer bits; JavaScript's numbers keep 53, so the last digits would be lost.
json::string nanos(std::uint64_t value)
{
    return json::string(std::to_string(value));
}

// One AnyValue: a JSON object with exactly one member, whose name says the kind. This is how
// protobuf's JSON mapping writes a `oneof`, so the receiver knows a "5" sent as a string from a
// 5 sent as an integer.
json::object any_value(const AttributeValue& value)
{
    // EXERCISE 10.17: An attribute value as OTLP/JSON
    //
    // Return the OTLP/JSON AnyValue for `value`: {"stringValue": ...}, {"intValue":
    // "<decimal>"} (a string: 64-bit), {"boolValue": ...} or {"doubleValue": ...}; a double
    // JSON cannot hold (NaN, infinities) as the strings "NaN", "Infinity" and "-Infinity", as
    // protobuf's JSON mapping does.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.17
    mini_redis::unused(value);
    mini_redis::todo("10.17", "book/10-observability.md#exercise-1017-an-attribute-value");
    // END EXERCISE 10.17
}

// A list of KeyValue messages: [{"key": ..., "value": {AnyValue}}, ...].
json::array attributes(const std::vector<Attribute>& list)
{
    json::array out;
    out.reserve(list.size());
    for (const Attribute& attribute : list) {
        out.push_back(json::object{{"key", attribute.key}, {"value", any_value(attribute.value)}});
    }
    return out;
}

[[maybe_unused]] json::object event(const Event& e)
{
    return json::object{{"timeUnixNano", nanos(e.time_unix_nano)},
                        {"name", e.name},
                        {"attributes", attributes(e.attributes)}};
}

[[maybe_unused]] json::object link(const Link& l)
{
    return json::object{{"traceId", l.trace_id.hex()}, {"spanId", l.span_id.hex()}};
}

json::object span(const SpanData& s)
{
    // EXERCISE 10.9: A span as OTLP/JSON
    //
    // Build one span's OTLP/JSON object: traceId and spanId in hex, parentSpanId only when
    // valid, name, kind as a number, startTimeUnixNano and endTimeUnixNano as decimal strings
    // (nanos()), attributes (attributes()), events (event()) with droppedEventsCount only when
    // not zero, links (link()), and status {code as a number, message only when not empty}.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.9
    mini_redis::unused(s);
    mini_redis::todo("10.9", "book/10-observability.md#exercise-109-a-span-in-otlpjson");
    // END EXERCISE 10.9
}

}  // namespace

std::string encode_export_request(const std::vector<SpanData>& spans,
                                  const std::vector<Attribute>& resource)
{
    json::array span_list;
    span_list.reserve(spans.size());
    for (const SpanData& s : spans) {
        span_list.push_back(span(s));
    }

    // One resource (this server) and one instrumentation scope (this code): a request may carry
    // spans of several of each, which is why both are lists.
    json::object scope_spans;
    scope_spans["scope"] = json::object{{"name", scope_name}, {"version", MINI_REDIS_VERSION}};
    scope_spans["spans"] = std::move(span_list);

    json::object resource_spans;
    resource_spans["resource"] = json::object{{"attributes", attributes(resource)}};
    resource_spans["scopeSpans"].emplace_array().push_back(std::move(scope_spans));

    json::object request;
    request["resourceSpans"].emplace_array().push_back(std::move(resource_spans));
    return json::serialize(request);
}

}  // namespace mini_redis::telemetry
