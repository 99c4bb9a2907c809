// Spans as OTLP/JSON: the body the exporter POSTs to a collector.
//
// The shape is OTLP's ExportTraceServiceRequest, nested as the protobuf messages nest
// (resourceSpans > scopeSpans > spans), and written the way OTLP's "JSON Protobuf Encoding"
// says: lowerCamelCase field names, ids as lower-case hex, enums as numbers, and every 64-bit
// integer as a decimal string.
//
// The text is written straight into one string, member after member. Building a
// boost::json::value tree and serializing it would be the safer-looking way, and this file did
// so at first; but a span is some forty nodes, and under load the exporter's CPU is most of what
// tracing costs the server (book: "What the export costs"): in the profile, building the tree
// cost more than writing its text. Writing the text ourselves leaves two things to get right by
// hand. The commas: list() writes every array's, and a member after the first begins with its
// comma; the tests catch a slip, as they parse every output back. And escaping, which stays
// Boost.JSON's job: every string goes through its serializer (JsonWriter::quoted), so a command
// name or an error message that holds quotes, backslashes or control bytes cannot break the
// document. Book: chapter 10, "OTLP, by hand and by Boost.JSON".
#include "telemetry/otlp_json.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace mini_redis::telemetry {

namespace json = boost::json;

namespace {

/// Appends JSON text to `out`. raw() is for what this file writes itself (punctuation, member
/// names, true and false); everything that comes from a span goes through quoted(), hex() or the
/// number writers, which cannot produce anything but a valid JSON value.
class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    /// Appends `text` as it is: `{"name":`, `,`, `]`.
    JsonWriter& raw(std::string_view text)
    {
        out_.append(text);
        return *this;
    }

    /// Appends `text` as a JSON string: quoted, with quotes, backslashes and control bytes
    /// escaped by Boost.JSON's serializer.
    JsonWriter& quoted(std::string_view text)
    {
        escaper_.reset(json::string_view(text.data(), text.size()));
        drain();
        return *this;
    }

    /// An id as a quoted string of hex digits.
    template <class Id>
    JsonWriter& hex(const Id& id)
    {
        out_ += '"';
        id.append_hex(out_);
        out_ += '"';
        return *this;
    }

    /// A 64-bit integer as OTLP/JSON writes every one (the times, an intValue): a decimal
    /// string. A JSON number would do for today's times (about 1.7e18) only if every reader
    /// kept 64 integer bits; JavaScript's numbers keep 53, so the last digits would be lost.
    template <class Integer>
    JsonWriter& decimal_string(Integer value)
    {
        out_ += '"';
        number(value);
        out_ += '"';
        return *this;
    }

    /// An integer as a JSON number: an enum's value, a 32-bit count.
    template <class Integer>
    JsonWriter& number(Integer value)
    {
        char digits[24];
        const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
        out_.append(digits, end);
        return *this;
    }

    /// A finite double as a JSON number, written by Boost.JSON (it prints the fewest digits
    /// that read back as the same double).
    JsonWriter& number(double value)
    {
        const json::value number(value);
        escaper_.reset(&number);
        drain();
        return *this;
    }

private:
    /// Moves what the serializer has to write into `out_`.
    void drain()
    {
        char chunk[256];
        while (!escaper_.done()) {
            const auto written = escaper_.read(chunk);
            out_.append(written.data(), written.size());
        }
    }

    std::string& out_;
    json::serializer escaper_;
};

/// Writes `items` as a JSON array, `write(w, item)` for each, with a comma between two.
template <class T, class Write>
void list(JsonWriter& w, const std::vector<T>& items, Write write)
{
    w.raw("[");
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) {
            w.raw(",");
        }
        write(w, items[i]);
    }
    w.raw("]");
}

// One KeyValue: {"key": ..., "value": {AnyValue}}. The AnyValue is a JSON object with exactly
// one member, whose name says the kind. This is how protobuf's JSON mapping writes a `oneof`, so
// the receiver knows a "5" sent as a string from a 5 sent as an integer.
void attribute(JsonWriter& w, const Attribute& attribute)
{
    w.raw(R"({"key":)").quoted(attribute.key).raw(R"(,"value":)");
    std::visit(
        [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                w.raw(R"({"stringValue":)").quoted(v);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                w.raw(R"({"intValue":)").decimal_string(v);  // int64: a string, as the times
            } else if constexpr (std::is_same_v<T, bool>) {
                w.raw(R"({"boolValue":)").raw(v ? "true" : "false");
            } else {
                // A double is a JSON number, except the three values JSON has no number for:
                // protobuf's JSON mapping spells them as these strings.
                w.raw(R"({"doubleValue":)");
                if (std::isnan(v)) {
                    w.raw(R"("NaN")");
                } else if (std::isinf(v)) {
                    w.raw(v > 0 ? R"("Infinity")" : R"("-Infinity")");
                } else {
                    w.number(v);
                }
            }
        },
        attribute.value);
    w.raw("}}");  // the AnyValue's, then the KeyValue's
}

// A list of KeyValue messages: [{"key": ..., "value": {AnyValue}}, ...].
void attributes(JsonWriter& w, const std::vector<Attribute>& list_of)
{
    list(w, list_of, attribute);
}

void span(JsonWriter& w, const SpanData& s)
{
    w.raw(R"({"traceId":)").hex(s.trace_id);
    w.raw(R"(,"spanId":)").hex(s.span_id);
    // A root span has no parent. Protobuf's JSON leaves out a field that holds its default
    // (empty bytes); writing "0000000000000000" instead would name a parent that does not exist.
    if (s.parent_span_id.valid()) {
        w.raw(R"(,"parentSpanId":)").hex(s.parent_span_id);
    }
    w.raw(R"(,"name":)").quoted(s.name);
    w.raw(R"(,"kind":)").number(static_cast<int>(s.kind));  // enums as numbers, not names
    w.raw(R"(,"startTimeUnixNano":)").decimal_string(s.start_time_unix_nano);
    w.raw(R"(,"endTimeUnixNano":)").decimal_string(s.end_time_unix_nano);
    w.raw(R"(,"attributes":)");
    attributes(w, s.attributes);
    w.raw(R"(,"events":)");
    list(w, s.events, [](JsonWriter& out, const Event& e) {
        out.raw(R"({"timeUnixNano":)").decimal_string(e.time_unix_nano);
        out.raw(R"(,"name":)").quoted(e.name);
        out.raw(R"(,"attributes":)");
        attributes(out, e.attributes);
        out.raw("}");
    });
    // Tells the backend the span had more events than we kept (SpanData::max_events).
    if (s.dropped_events_count != 0) {
        w.raw(R"(,"droppedEventsCount":)").number(s.dropped_events_count);  // uint32: a number
    }
    w.raw(R"(,"links":)");
    list(w, s.links, [](JsonWriter& out, const Link& l) {
        out.raw(R"({"traceId":)").hex(l.trace_id).raw(R"(,"spanId":)").hex(l.span_id).raw("}");
    });
    w.raw(R"(,"status":{"code":)").number(static_cast<int>(s.status));
    if (!s.status_message.empty()) {
        w.raw(R"(,"message":)").quoted(s.status_message);
    }
    w.raw("}}");
}

}  // namespace

void encode_export_request(const std::vector<SpanData>& spans,
                           const std::vector<Attribute>& resource, std::string& out)
{
    out.clear();
    JsonWriter w(out);
    // One resource (this server) and one instrumentation scope (this code): a request may carry
    // spans of several of each, which is why both are lists.
    w.raw(R"({"resourceSpans":[{"resource":{"attributes":)");
    attributes(w, resource);
    w.raw(R"(},"scopeSpans":[{"scope":{"name":)").quoted(scope_name);
    w.raw(R"(,"version":)").quoted(MINI_REDIS_VERSION);
    w.raw(R"(},"spans":)");
    list(w, spans, span);
    w.raw("}]}]}");
}

std::string encode_export_request(const std::vector<SpanData>& spans,
                                  const std::vector<Attribute>& resource)
{
    std::string out;
    encode_export_request(spans, resource, out);
    return out;
}

}  // namespace mini_redis::telemetry
