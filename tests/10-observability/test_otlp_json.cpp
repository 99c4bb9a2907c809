// Chapter 10: spans as OTLP/JSON. The encoder is fed spans and its output is parsed back with
// Boost.JSON, so each test states one rule of OTLP's JSON encoding and checks the exact value;
// the last tests hand the output to an independent checker built on OpenTelemetry's own
// protobuf definitions (tools/otlp-check).
#include "telemetry/otlp_json.hpp"

#include "mini_redis/testing/allocations.hpp"
#include "mini_redis/testing/run_program.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace mini_redis::telemetry;

namespace {

TraceId trace_id(std::uint8_t first)
{
    TraceId id;
    for (std::size_t i = 0; i < id.bytes.size(); ++i) {
        id.bytes[i] = static_cast<std::uint8_t>(first + i);
    }
    return id;
}

SpanId span_id(std::uint8_t first)
{
    SpanId id;
    for (std::size_t i = 0; i < id.bytes.size(); ++i) {
        id.bytes[i] = static_cast<std::uint8_t>(first + i);
    }
    return id;
}

// A span that uses every field: a child span with attributes of each kind, two events, a
// dropped-events count, a link and an error status.
SpanData full_span()
{
    SpanData span;
    span.trace_id = trace_id(0xa0);
    span.span_id = span_id(0xb0);
    span.parent_span_id = span_id(0xc0);
    span.name = "GET";
    span.kind = SpanKind::server;
    span.start_time_unix_nano = 1'700'000'000'123'456'789;
    span.end_time_unix_nano = 1'700'000'000'223'456'789;
    span.attributes = {{"db.system.name", std::string("redis")},
                       {"server.port", std::int64_t{6379}},
                       {"db.response.returned_rows", std::int64_t{-1}},
                       {"cache.hit", true},
                       {"load", 0.25}};
    span.events = {{"message", 1'700'000'000'150'000'000, {{"channel", std::string("news")}}},
                   {"message", 1'700'000'000'160'000'000, {}}};
    span.dropped_events_count = 7;
    span.links = {{trace_id(0x10), span_id(0x20)}};
    span.status = StatusCode::error;
    span.status_message = "WRONGTYPE Operation against a key holding the wrong kind of value";
    return span;
}

// A root span with nothing but the required fields.
SpanData root_span(std::string name)
{
    SpanData span;
    span.trace_id = trace_id(0x01);
    span.span_id = span_id(0x11);
    span.name = std::move(name);
    span.start_time_unix_nano = 1;
    span.end_time_unix_nano = 2;
    return span;
}

json::object parse_request(const std::vector<SpanData>& spans,
                           const std::vector<Attribute>& resource = {})
{
    const std::string text = encode_export_request(spans, resource);
    INFO("the request: " << text);
    json::error_code error;
    json::value request = json::parse(text, error);
    REQUIRE_FALSE(error);
    REQUIRE(request.is_object());
    return request.get_object();
}

// resourceSpans[0].scopeSpans[0].spans[index]
json::object span_of(const json::object& request, std::size_t index = 0)
{
    return request.at("resourceSpans")
        .at(0)
        .at("scopeSpans")
        .at(0)
        .at("spans")
        .at(index)
        .get_object();
}

json::value attribute_value(const json::value& attributes, const std::string& key)
{
    for (const auto& entry : attributes.get_array()) {
        if (entry.at("key").as_string() == key) {
            return entry.at("value");
        }
    }
    FAIL("no attribute " << key << " in " << json::serialize(attributes));
    return nullptr;
}

// The repository's root, from this file's path: tests/10-observability/test_otlp_json.cpp.
std::filesystem::path repository_root()
{
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

// Runs tools/otlp-check/check.mjs on `body`, written to a file of its own.
mini_redis::testing::ProgramResult run_otlp_check(const std::string& body)
{
    const auto tool = repository_root() / "tools" / "otlp-check";
    if (!std::filesystem::exists(tool / "node_modules")) {
        FAIL("tools/otlp-check has no node_modules: run `npm ci` in " << tool.string()
                                                                      << " (needs node and npm)");
    }
    if (mini_redis::testing::find_on_path("node").empty()) {
        FAIL("node is not on PATH: install Debian's nodejs to run the OTLP/JSON check");
    }
    static int files = 0;
    const auto file =
        std::filesystem::temp_directory_path() /
        ("mini-redis-otlp-" + std::to_string(::getpid()) + "-" + std::to_string(++files) + ".json");
    {
        std::ofstream out(file, std::ios::binary);
        out << body;
        REQUIRE(out.good());
    }
    auto result =
        mini_redis::testing::run_program({"node", (tool / "check.mjs").string(), file.string()});
    std::filesystem::remove(file);
    return result;
}

}  // namespace

TEST_CASE("a span is encoded with every field named and written as OTLP/JSON says",
          "[ch10][ex10.9][ex10.17][ex10.23]")
{
    const auto span = span_of(parse_request({full_span()}));

    CHECK(span.at("traceId") == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    CHECK(span.at("spanId") == "b0b1b2b3b4b5b6b7");
    CHECK(span.at("parentSpanId") == "c0c1c2c3c4c5c6c7");
    CHECK(span.at("name") == "GET");
    CHECK(span.at("kind") == 2);  // SPAN_KIND_SERVER, as a number
    CHECK(span.at("startTimeUnixNano") == "1700000000123456789");
    CHECK(span.at("endTimeUnixNano") == "1700000000223456789");

    const auto& attributes = span.at("attributes");
    REQUIRE(attributes.as_array().size() == 5);
    CHECK(attribute_value(attributes, "db.system.name") == json::object{{"stringValue", "redis"}});
    // int64 values are strings, as the times are: JSON numbers stop being exact past 2^53.
    CHECK(attribute_value(attributes, "server.port") == json::object{{"intValue", "6379"}});
    CHECK(attribute_value(attributes, "db.response.returned_rows") ==
          json::object{{"intValue", "-1"}});
    CHECK(attribute_value(attributes, "cache.hit") == json::object{{"boolValue", true}});
    CHECK(attribute_value(attributes, "load") == json::object{{"doubleValue", 0.25}});

    const auto& events = span.at("events").as_array();
    REQUIRE(events.size() == 2);
    CHECK(events[0].at("timeUnixNano") == "1700000000150000000");
    CHECK(events[0].at("name") == "message");
    CHECK(attribute_value(events[0].at("attributes"), "channel") ==
          json::object{{"stringValue", "news"}});
    CHECK(events[1].at("timeUnixNano") == "1700000000160000000");
    CHECK(events[1].at("attributes").as_array().empty());
    CHECK(span.at("droppedEventsCount") == 7);

    CHECK(span.at("links") ==
          json::array{json::object{{"traceId", "101112131415161718191a1b1c1d1e1f"},
                                   {"spanId", "2021222324252627"}}});
    CHECK(span.at("status") ==
          json::object{
              {"code", 2},
              {"message", "WRONGTYPE Operation against a key holding the wrong kind of value"}});
}

TEST_CASE("a root span has no parentSpanId, no droppedEventsCount and a status without message",
          "[ch10][ex10.9][ex10.23]")
{
    const auto span = span_of(parse_request({root_span("connection")}));
    CHECK_FALSE(span.contains("parentSpanId"));  // left out, not sixteen zeros
    CHECK_FALSE(span.contains("droppedEventsCount"));
    CHECK(span.at("status") == json::object{{"code", 0}});
    CHECK(span.at("kind") == 1);  // SPAN_KIND_INTERNAL, the default
    CHECK(span.at("events").as_array().empty());
    CHECK(span.at("links").as_array().empty());
}

TEST_CASE("a batch is encoded with no allocation per span", "[ch10][ex10.9]")
{
    // The exporter encodes 512 spans at a time, on a thread beside the server's: each span is
    // dozens of JSON values, and a malloc and a free for each (a tree of nodes, a string per
    // id) would cost more than writing the text. What is left is the text's own growth.
    const std::vector<SpanData> batch(512, full_span());
    const auto before = mini_redis::testing::allocation_count();
    const auto body = encode_export_request(batch, {{"service.name", std::string("test")}});
    const auto made = mini_redis::testing::allocation_count() - before;
    INFO(made << " allocations for " << batch.size() << " spans of " << body.size() << " bytes");
    CHECK(made <= 64);
}

TEST_CASE("times past 2^53 are written as exact decimal strings", "[ch10][ex10.9]")
{
    auto span = root_span("late");
    span.start_time_unix_nano = (std::uint64_t{1} << 53) + 1;  // a double would round it
    span.end_time_unix_nano = std::numeric_limits<std::uint64_t>::max();
    span.events = {{"last", std::numeric_limits<std::uint64_t>::max() - 1, {}}};
    span.attributes = {{"min", std::numeric_limits<std::int64_t>::min()}};

    const auto encoded = span_of(parse_request({span}));
    CHECK(encoded.at("startTimeUnixNano") == "9007199254740993");
    CHECK(encoded.at("endTimeUnixNano") == "18446744073709551615");
    CHECK(encoded.at("events").at(0).at("timeUnixNano") == "18446744073709551614");
    CHECK(attribute_value(encoded.at("attributes"), "min") ==
          json::object{{"intValue", "-9223372036854775808"}});
}

TEST_CASE("trace and span ids are written as lower-case hex, every byte two digits",
          "[ch10][ex10.9]")
{
    auto span = root_span("ids");
    span.trace_id.bytes = {0x00, 0x01, 0x0a, 0x0f, 0x10, 0x7f, 0x80, 0x9b,
                           0xab, 0xcd, 0xef, 0xf0, 0xfe, 0xff, 0x00, 0x05};
    span.span_id.bytes = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x01};
    span.parent_span_id.bytes = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};

    const auto encoded = span_of(parse_request({span}));
    CHECK(encoded.at("traceId") == "00010a0f107f809babcdeff0feff0005");
    CHECK(encoded.at("spanId") == "deadbeef00000001");
    CHECK(encoded.at("parentSpanId") == "0000000000000002");
}

TEST_CASE("the request names the resource and the instrumentation scope, and keeps spans in order",
          "[ch10][ex10.9][ex10.17][ex10.23]")
{
    const auto request = parse_request(
        {root_span("first"), root_span("second"), root_span("third")},
        {{"service.name", std::string("mini-redis")}, {"process.pid", std::int64_t{4242}}});

    REQUIRE(request.at("resourceSpans").as_array().size() == 1);
    const auto& resource_spans = request.at("resourceSpans").at(0);
    const auto& resource_attributes = resource_spans.at("resource").at("attributes");
    CHECK(resource_attributes ==
          json::array{
              json::object{{"key", "service.name"},
                           {"value", json::object{{"stringValue", "mini-redis"}}}},
              json::object{{"key", "process.pid"}, {"value", json::object{{"intValue", "4242"}}}}});

    REQUIRE(resource_spans.at("scopeSpans").as_array().size() == 1);
    const auto& scope_spans = resource_spans.at("scopeSpans").at(0);
    CHECK(scope_spans.at("scope") ==
          json::object{{"name", "mini-redis"}, {"version", MINI_REDIS_VERSION}});
    const auto& spans = scope_spans.at("spans").as_array();
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].at("name") == "first");
    CHECK(spans[1].at("name") == "second");
    CHECK(spans[2].at("name") == "third");
}

TEST_CASE("strings with quotes, backslashes and control bytes come back unchanged",
          "[ch10][ex10.9][ex10.17]")
{
    const std::string awkward = "say \"hi\"\\ \n\t\x01 caf\xc3\xa9";
    auto span = root_span(awkward);
    span.attributes = {{awkward, awkward}};
    span.status = StatusCode::error;
    span.status_message = awkward;

    const auto encoded = span_of(parse_request({span}));
    CHECK(encoded.at("name").as_string() == awkward);
    CHECK(attribute_value(encoded.at("attributes"), awkward) ==
          json::object{{"stringValue", awkward}});
    CHECK(encoded.at("status").at("message").as_string() == awkward);
}

TEST_CASE("the OTLP check built on OpenTelemetry's protobuf definitions accepts the request",
          "[ch10][ex10.9][ex10.17][otlp-check]")
{
    auto late = root_span("late");
    late.start_time_unix_nano = (std::uint64_t{1} << 53) + 1;
    late.end_time_unix_nano = (std::uint64_t{1} << 62) + 3;
    const std::string body = encode_export_request(
        {full_span(), root_span("connection"), late},
        {{"service.name", std::string("mini-redis")}, {"process.pid", std::int64_t{4242}}});

    const auto result = run_otlp_check(body);
    INFO("the request: " << body);
    INFO("the check said: " << result.output);
    CHECK(result.status == 0);
    CHECK(result.output.find("ok, 3 span(s)") != std::string::npos);
}

TEST_CASE("the OTLP check rejects an id in base64 and a misspelt field", "[ch10][otlp-check]")
{
    const std::string good = encode_export_request({full_span()}, {});
    const auto replace = [&good](const std::string& from, const std::string& to) {
        auto bad = good;
        const auto at = bad.find(from);
        REQUIRE(at != std::string::npos);
        return bad.replace(at, from.size(), to);
    };

    SECTION("a span id in base64, as protobuf's own JSON mapping would write it")
    {
        const auto result = run_otlp_check(replace("\"b0b1b2b3b4b5b6b7\"", "\"sLGys7S1trc=\""));
        INFO("the check said: " << result.output);
        CHECK(result.status == 1);
        CHECK(result.output.find("spanId") != std::string::npos);
    }
    SECTION("a field name with the wrong case")
    {
        const auto result = run_otlp_check(replace("\"parentSpanId\"", "\"parentSpanID\""));
        INFO("the check said: " << result.output);
        CHECK(result.status == 1);
        CHECK(result.output.find("parentSpanID: unknown field") != std::string::npos);
    }
}
