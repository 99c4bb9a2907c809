// Chapter 10: reading telemetry's settings from the OTEL_* variables and the server's flags.
// The environment is a table here (Environment is a function), so no test touches the real one
// except the test of process_environment itself.
#include "telemetry/config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using mini_redis::telemetry::Attribute;
using mini_redis::telemetry::ConfigError;
using mini_redis::telemetry::Environment;
using mini_redis::telemetry::HttpEndpoint;
using mini_redis::telemetry::IdFormat;
using mini_redis::telemetry::Sampler;
using mini_redis::telemetry::telemetry_config;
using mini_redis::telemetry::TelemetryConfig;
using mini_redis::telemetry::TelemetryFlags;

namespace {
namespace config_test {  // a name of its own: a unity build puts this file next to others

using Variables = std::map<std::string, std::string>;

/// An environment holding exactly `variables`.
Environment environment(Variables variables)
{
    return
        [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
            if (auto found = variables.find(name); found != variables.end()) {
                return found->second;
            }
            return std::nullopt;
        };
}

/// Every setting of `config`, one per line, so a failing row shows the whole of what was read
/// next to the whole of what was expected.
std::string describe(const TelemetryConfig& config)
{
    std::ostringstream out;
    out << "enabled: " << config.enabled << "\nendpoint: " << config.endpoint << "\nheaders:";
    for (const auto& [name, value] : config.headers) {
        out << " [" << name << ": " << value << "]";
    }
    out << "\nrequest_timeout: " << config.request_timeout.count() << "ms\nresource:";
    for (const auto& attribute : config.resource) {
        out << " [" << attribute.key << " = ";
        if (const auto* text = std::get_if<std::string>(&attribute.value)) {
            out << '"' << *text << '"';
        } else {
            out << "(not a string)";
        }
        out << "]";
    }
    out << "\nsampler: " << config.sampler.name() << " ratio " << config.sampler.ratio
        << "\nid_format: " << (config.id_format == IdFormat::xray ? "xray" : "random")
        << "\nbatch: queue " << config.batch.max_queue_size << ", batch "
        << config.batch.max_export_batch_size << ", delay " << config.batch.schedule_delay.count()
        << "ms, export timeout " << config.batch.export_timeout.count() << "ms\n";
    return out.str();
}

/// The resource with nothing set: the defaults, in their order.
std::vector<Attribute> default_resource()
{
    return {
        {"service.name", std::string("mini-redis-server")},
        {"service.version", std::string(MINI_REDIS_VERSION)},
        {"telemetry.sdk.name", std::string("mini-redis")},
        {"telemetry.sdk.language", std::string("cpp")},
        {"telemetry.sdk.version", std::string(MINI_REDIS_VERSION)},
    };
}

/// What `read` throws as a ConfigError, or a note that it threw none (any other exception
/// goes on up and fails the test with its own message). Catch2 2's exception matcher compares
/// whole messages only; a message is checked here for the pieces that matter.
std::string config_error(const std::function<void()>& read)
{
    try {
        read();
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "(no ConfigError was thrown)";
}

/// Flags for a row: none, --otel, --otel-endpoint URL, --otel-xray-ids.
TelemetryFlags no_flags()
{
    return {};
}
TelemetryFlags otel_flag()
{
    TelemetryFlags flags;
    flags.otel = true;
    return flags;
}
TelemetryFlags endpoint_flag(std::string url)
{
    TelemetryFlags flags;
    flags.endpoint = std::move(url);
    return flags;
}
TelemetryFlags xray_flag()
{
    TelemetryFlags flags;
    flags.xray_ids = true;
    return flags;
}

/// A sampler of the given kind and ratio.
Sampler sampler(Sampler::Kind kind, bool parent_based, double ratio = 1.0)
{
    Sampler s;
    s.kind = kind;
    s.parent_based = parent_based;
    s.ratio = ratio;
    return s;
}

}  // namespace config_test
}  // namespace

TEST_CASE("with no flags and no variables, telemetry is off and every setting is the default",
          "[ch10][ex10.12][ex10.18][ex10.14]")
{
    const auto config = telemetry_config(TelemetryFlags{}, config_test::environment({}));
    CHECK_FALSE(config.enabled);
    CHECK(config.endpoint == "http://localhost:4318/v1/traces");
    CHECK(config.headers.empty());
    CHECK(config.request_timeout == std::chrono::milliseconds(10000));
    CHECK(config.resource == config_test::default_resource());
    CHECK(config.sampler.name() == "parentbased_always_on");
    CHECK(config.id_format == IdFormat::random);
    CHECK(config.batch.max_queue_size == 2048);
    CHECK(config.batch.max_export_batch_size == 512);
    CHECK(config.batch.schedule_delay == std::chrono::milliseconds(5000));
    CHECK(config.batch.export_timeout == std::chrono::milliseconds(30000));
}

TEST_CASE("each variable and flag changes exactly the setting the specification says",
          "[ch10][ex10.12][ex10.14][ex10.18][ex10.19][ex10.20][ex10.13]")
{
    using config_test::Variables;
    using Kind = Sampler::Kind;
    struct Row {
        const char* what;
        TelemetryFlags flags;
        Variables variables;
        std::function<void(TelemetryConfig&)> expect;  // turns the defaults into the result
    };
    const auto on = [](TelemetryConfig& c) { c.enabled = true; };
    const auto nothing = [](TelemetryConfig&) {};
    const Row rows[] = {
        // Turning it on, and where spans go.
        {"--otel turns telemetry on", config_test::otel_flag(), {}, on},
        {"--otel-endpoint sets the endpoint as it is and turns telemetry on",
         config_test::endpoint_flag("http://collector:4318/custom"),
         {},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://collector:4318/custom";
         }},
        {"--otel-xray-ids chooses X-Ray ids and does not turn telemetry on",
         config_test::xray_flag(),
         {},
         [](TelemetryConfig& c) { c.id_format = IdFormat::xray; }},
        {"OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: /v1/traces is appended, and it turns "
         "telemetry on",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://collector:4318/v1/traces";
         }},
        {"OTEL_EXPORTER_OTLP_ENDPOINT ending in / gets no second slash",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://collector:4318/v1/traces";
         }},
        {"OTEL_EXPORTER_OTLP_ENDPOINT with a path keeps it before v1/traces",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://gateway/otlp"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://gateway/otlp/v1/traces";
         }},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as it is and turns telemetry on",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/custom"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://collector:4318/custom";
         }},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins over OTEL_EXPORTER_OTLP_ENDPOINT, which is then "
         "not read",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/v1/traces"},
          {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://for-another-program:4318"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://traces:4318/v1/traces";
         }},
        {"--otel-endpoint wins over OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
         config_test::endpoint_flag("http://flag:4318/v1/traces"),
         {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://variable:4318/v1/traces"}},
         [](TelemetryConfig& c) {
             c.enabled = true;
             c.endpoint = "http://flag:4318/v1/traces";
         }},
        {"an empty variable counts as unset",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_ENDPOINT", ""},
          {"OTEL_TRACES_SAMPLER", ""},
          {"OTEL_SERVICE_NAME", " "}},
         nothing},

        // Turning it off.
        {"OTEL_SDK_DISABLED=true turns telemetry off whatever asked for it",
         config_test::otel_flag(),
         {{"OTEL_SDK_DISABLED", "true"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}},
         [](TelemetryConfig& c) { c.endpoint = "http://c:4318/v1/traces"; }},
        {"OTEL_SDK_DISABLED is read without regard to case",
         config_test::endpoint_flag("http://c:4318/v1/traces"),
         {{"OTEL_SDK_DISABLED", "TRUE"}},
         [](TelemetryConfig& c) { c.endpoint = "http://c:4318/v1/traces"; }},
        {"OTEL_SDK_DISABLED=false leaves telemetry on",
         config_test::otel_flag(),
         {{"OTEL_SDK_DISABLED", "False"}},
         on},
        {"OTEL_TRACES_EXPORTER=none turns telemetry off",
         config_test::otel_flag(),
         {{"OTEL_TRACES_EXPORTER", "none"}},
         nothing},
        {"OTEL_TRACES_EXPORTER=otlp leaves telemetry on",
         config_test::otel_flag(),
         {{"OTEL_TRACES_EXPORTER", "otlp"}},
         on},

        // Who we are.
        {"OTEL_SERVICE_NAME sets service.name",
         config_test::no_flags(),
         {{"OTEL_SERVICE_NAME", "cache-eu"}},
         [](TelemetryConfig& c) { c.resource[0].value = std::string("cache-eu"); }},
        {"OTEL_RESOURCE_ATTRIBUTES adds attributes, trimmed and percent-decoded",
         config_test::no_flags(),
         {{"OTEL_RESOURCE_ATTRIBUTES", " deployment.environment = prod , team=a%2Cb%3Dc,"}},
         [](TelemetryConfig& c) {
             c.resource.push_back({"deployment.environment", std::string("prod")});
             c.resource.push_back({"team", std::string("a,b=c")});
         }},
        {"service.name in OTEL_RESOURCE_ATTRIBUTES replaces the default",
         config_test::no_flags(),
         {{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-list"}},
         [](TelemetryConfig& c) { c.resource[0].value = std::string("from-list"); }},
        {"OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES",
         config_test::no_flags(),
         {{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-list,host.name=h1"},
          {"OTEL_SERVICE_NAME", "from-variable"}},
         [](TelemetryConfig& c) {
             c.resource[0].value = std::string("from-variable");
             c.resource.push_back({"host.name", std::string("h1")});
         }},

        // Which traces.
        {"OTEL_TRACES_SAMPLER=always_on",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "always_on"}},
         [](TelemetryConfig& c) { c.sampler = config_test::sampler(Kind::always_on, false); }},
        {"OTEL_TRACES_SAMPLER=always_off",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "always_off"}},
         [](TelemetryConfig& c) { c.sampler = config_test::sampler(Kind::always_off, false); }},
        {"OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=0.25",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.25"}},
         [](TelemetryConfig& c) {
             c.sampler = config_test::sampler(Kind::trace_id_ratio, false, 0.25);
         }},
        {"OTEL_TRACES_SAMPLER=parentbased_always_on",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "parentbased_always_on"}},
         nothing},
        {"OTEL_TRACES_SAMPLER=parentbased_always_off, in any case",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "ParentBased_Always_Off"}},
         [](TelemetryConfig& c) { c.sampler = config_test::sampler(Kind::always_off, true); }},
        {"OTEL_TRACES_SAMPLER=parentbased_traceidratio without an argument keeps everything",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}},
         [](TelemetryConfig& c) {
             c.sampler = config_test::sampler(Kind::trace_id_ratio, true, 1.0);
         }},
        {"OTEL_TRACES_SAMPLER_ARG accepts 0 and 1",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0"}},
         [](TelemetryConfig& c) {
             c.sampler = config_test::sampler(Kind::trace_id_ratio, true, 0.0);
         }},
        {"OTEL_TRACES_SAMPLER_ARG is not read for a sampler without a ratio",
         config_test::no_flags(),
         {{"OTEL_TRACES_SAMPLER", "always_on"}, {"OTEL_TRACES_SAMPLER_ARG", "0.1"}},
         [](TelemetryConfig& c) { c.sampler = config_test::sampler(Kind::always_on, false); }},

        // How spans are sent.
        {"OTEL_EXPORTER_OTLP_HEADERS is a percent-decoded key=value list",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr%3Dt, x-team = a%20b"}},
         [](TelemetryConfig& c) {
             c.headers = {{"api-key", "s3cr=t"}, {"x-team", "a b"}};
         }},
        {"OTEL_EXPORTER_OTLP_TRACES_HEADERS replaces OTEL_EXPORTER_OTLP_HEADERS",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic,x-only-generic=1"},
          {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=traces"}},
         [](TelemetryConfig& c) {
             c.headers = {{"api-key", "traces"}};
         }},
        {"OTEL_EXPORTER_OTLP_TIMEOUT is one request's timeout in milliseconds",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"}},
         [](TelemetryConfig& c) { c.request_timeout = std::chrono::milliseconds(2500); }},
        {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT wins over OTEL_EXPORTER_OTLP_TIMEOUT",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"}, {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700"}},
         [](TelemetryConfig& c) { c.request_timeout = std::chrono::milliseconds(700); }},
        {"OTEL_EXPORTER_OTLP_PROTOCOL=http/json is accepted",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
         nothing},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json wins over a generic grpc",
         config_test::no_flags(),
         {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
          {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"}},
         nothing},

        // The batch processor.
        {"OTEL_BSP_* set the batch processor's four numbers",
         config_test::no_flags(),
         {{"OTEL_BSP_SCHEDULE_DELAY", "250"},
          {"OTEL_BSP_EXPORT_TIMEOUT", "9000"},
          {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
          {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100"}},
         [](TelemetryConfig& c) {
             c.batch.schedule_delay = std::chrono::milliseconds(250);
             c.batch.export_timeout = std::chrono::milliseconds(9000);
             c.batch.max_queue_size = 100;
             c.batch.max_export_batch_size = 100;
         }},
    };

    for (const auto& row : rows) {
        TelemetryConfig expected;
        expected.resource = config_test::default_resource();
        row.expect(expected);
        INFO("row: " << row.what);
        const auto actual = telemetry_config(row.flags, config_test::environment(row.variables));
        CHECK(config_test::describe(actual) == config_test::describe(expected));
    }
}

TEST_CASE(
    "a value that cannot be used is a ConfigError naming its variable, even with "
    "telemetry off",
    "[ch10][ex10.12][ex10.13][ex10.18][ex10.19][ex10.20]")
{
    using config_test::Variables;
    struct Row {
        Variables variables;
        const char* named;     // the variable (or flag) the message must name
        const char* explains;  // and a piece of what it must say is accepted
        TelemetryFlags flags = {};
    };
    const Row rows[] = {
        {{{"OTEL_SDK_DISABLED", "yes"}}, "OTEL_SDK_DISABLED", "true or false"},
        {{{"OTEL_TRACES_SAMPLER", "jaeger_remote"}},
         "OTEL_TRACES_SAMPLER",
         "parentbased_traceidratio"},
        {{{"OTEL_TRACES_SAMPLER", "xray"}}, "OTEL_TRACES_SAMPLER", "always_on, always_off"},
        {{{"OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote"}},
         "OTEL_TRACES_SAMPLER",
         "traceidratio"},
        {{{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}},
         "OTEL_TRACES_SAMPLER_ARG",
         "from 0 to 1"},
        {{{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "-0.1"}},
         "OTEL_TRACES_SAMPLER_ARG",
         "from 0 to 1"},
        {{{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
          {"OTEL_TRACES_SAMPLER_ARG", "a quarter"}},
         "OTEL_TRACES_SAMPLER_ARG",
         "from 0 to 1"},
        {{{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "nan"}},
         "OTEL_TRACES_SAMPLER_ARG",
         "from 0 to 1"},
        {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318"}},
         "OTEL_EXPORTER_OTLP_ENDPOINT",
         "https is not"},
        {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}},
         "OTEL_EXPORTER_OTLP_ENDPOINT",
         "http://"},
        {{{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector/v1/traces"}},
         "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
         "forward over TLS"},
        {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}, "OTEL_EXPORTER_OTLP_PROTOCOL", "4318"},
        {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"}},
         "OTEL_EXPORTER_OTLP_PROTOCOL",
         "http/json"},
        {{{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"}},
         "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
         "http/json"},
        {{{"OTEL_TRACES_EXPORTER", "zipkin"}}, "OTEL_TRACES_EXPORTER", "otlp"},
        {{{"OTEL_TRACES_EXPORTER", "console"}}, "OTEL_TRACES_EXPORTER", "none"},
        {{{"OTEL_RESOURCE_ATTRIBUTES", "team=a,lonely"}},
         "OTEL_RESOURCE_ATTRIBUTES",
         "\"lonely\": expected key=value"},
        {{{"OTEL_RESOURCE_ATTRIBUTES", "=value"}}, "OTEL_RESOURCE_ATTRIBUTES", "key"},
        {{{"OTEL_RESOURCE_ATTRIBUTES", "team=100%"}}, "OTEL_RESOURCE_ATTRIBUTES", "two hex digits"},
        {{{"OTEL_EXPORTER_OTLP_HEADERS", "api key=x"}},
         "OTEL_EXPORTER_OTLP_HEADERS",
         "header name"},
        {{{"OTEL_EXPORTER_OTLP_HEADERS", "x-evil=a%0D%0AHost: elsewhere"}},
         "OTEL_EXPORTER_OTLP_HEADERS",
         "control characters"},
        {{{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "novalue"}},
         "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
         "key=value"},
        {{{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}}, "OTEL_EXPORTER_OTLP_TIMEOUT", "from 1"},
        {{{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"}}, "OTEL_EXPORTER_OTLP_TIMEOUT", "whole number"},
        {{{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5"}},
         "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
         "from 1"},
        {{{"OTEL_BSP_SCHEDULE_DELAY", "0"}}, "OTEL_BSP_SCHEDULE_DELAY", "from 1"},
        {{{"OTEL_BSP_EXPORT_TIMEOUT", "-1"}}, "OTEL_BSP_EXPORT_TIMEOUT", "from 1"},
        {{{"OTEL_BSP_MAX_QUEUE_SIZE", "lots"}}, "OTEL_BSP_MAX_QUEUE_SIZE", "whole number"},
        {{{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0"}}, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "from 1"},
        {{{"OTEL_BSP_MAX_QUEUE_SIZE", "99999999999"}}, "OTEL_BSP_MAX_QUEUE_SIZE", "2147483647"},
        {{{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "3000"}},
         "OTEL_BSP_MAX_QUEUE_SIZE (2048)",
         "OTEL_BSP_MAX_EXPORT_BATCH_SIZE (3000) must not exceed"},
        {{{"OTEL_BSP_MAX_QUEUE_SIZE", "100"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"}},
         "OTEL_BSP_MAX_QUEUE_SIZE (100)",
         "must not exceed"},
        {{},
         "--otel-endpoint",
         "https is not",
         config_test::endpoint_flag("https://collector:4318/v1/traces")},
        // Off by the SDK's own switch, and still checked.
        {{{"OTEL_SDK_DISABLED", "true"}, {"OTEL_TRACES_SAMPLER", "xray"}},
         "OTEL_TRACES_SAMPLER",
         "not supported"},
    };

    for (const auto& row : rows) {
        std::string variables;
        for (const auto& [name, value] : row.variables) {
            variables += name + "=\"" + value + "\" ";
        }
        INFO("variables: " << variables);
        const auto message = config_test::config_error(
            [&row] { telemetry_config(row.flags, config_test::environment(row.variables)); });
        CHECK_THAT(message, Catch::Contains(row.named) && Catch::Contains(row.explains));
    }
}

TEST_CASE("a ConfigError's message shows the bad value as it was given", "[ch10][ex10.12]")
{
    CHECK_THROWS_WITH(
        telemetry_config({}, config_test::environment({{"OTEL_BSP_SCHEDULE_DELAY", "5 seconds"}})),
        Catch::StartsWith("OTEL_BSP_SCHEDULE_DELAY=\"5 seconds\": "));
    CHECK_THROWS_WITH(
        telemetry_config({}, config_test::environment({{"OTEL_TRACES_SAMPLER", "xray"}})),
        Catch::StartsWith("OTEL_TRACES_SAMPLER=\"xray\": "));
}

TEST_CASE("HttpEndpoint::parse splits an http URL into host, port and request target",
          "[ch10][ex10.13]")
{
    struct Row {
        const char* url;
        const char* host;
        const char* port;
        const char* target;
    };
    const Row rows[] = {
        {"http://localhost:4318/v1/traces", "localhost", "4318", "/v1/traces"},
        {"http://collector", "collector", "80", "/"},
        {"http://collector/", "collector", "80", "/"},
        {"HTTP://Collector.example:8080/otlp/v1/traces", "Collector.example", "8080",
         "/otlp/v1/traces"},
        {"http://10.0.0.5:80/v1/traces", "10.0.0.5", "80", "/v1/traces"},
        {"http://[::1]:4318/v1/traces", "::1", "4318", "/v1/traces"},
        {"http://[2001:db8::7]/otlp", "2001:db8::7", "80", "/otlp"},
        {"http://[::ffff:192.0.2.1]:4318", "::ffff:192.0.2.1", "4318", "/"},
        {"http://collector:4318/v1/traces?tenant=a#section", "collector", "4318",
         "/v1/traces?tenant=a"},
        {"http://collector?tenant=a", "collector", "80", "/?tenant=a"},
    };
    for (const auto& row : rows) {
        INFO("url: " << row.url);
        const auto endpoint = HttpEndpoint::parse(row.url);
        CHECK(endpoint.host == row.host);
        CHECK(endpoint.port == row.port);
        CHECK(endpoint.target == row.target);
    }
}

TEST_CASE("HttpEndpoint::parse refuses https, other schemes and malformed URLs, saying why",
          "[ch10][ex10.13]")
{
    struct Row {
        const char* url;
        const char* explains;
    };
    const Row rows[] = {
        {"https://collector:4318/v1/traces", "https is not supported"},
        {"HTTPS://collector", "collector nearby"},
        {"grpc://collector:4317", "only http://"},
        {"collector:4318", "only http://"},
        {"", "only http://"},
        {"http://", "no host"},
        {"http://:4318/v1/traces", "no host"},
        {"http://::1:4318/", "brackets"},
        {"http://[::1/v1/traces", "closed with ]"},
        {"http://[::1]4318/", ":port"},
        {"http://[collector]:4318/", "not an IPv6 address"},
        {"http://collector:0/", "from 1 to 65535"},
        {"http://collector:65536/", "from 1 to 65535"},
        {"http://collector:http/", "from 1 to 65535"},
        {"http://collector:/", "from 1 to 65535"},
        {"http://user:secret@collector:4318/", "header"},
        {"http://col lector/", "not a host name"},
        {"http://collector/v1 traces", "percent-encoded"},
    };
    for (const auto& row : rows) {
        INFO("url: \"" << row.url << "\"");
        const auto message = config_test::config_error([&row] { HttpEndpoint::parse(row.url); });
        CHECK_THAT(message, Catch::Contains(row.explains));
    }
}

TEST_CASE("process_environment reads the process's own variables", "[ch10]")
{
    // A name no other program sets. setenv is safe here: Catch2 runs one test at a time, and
    // this one starts no threads.
    const std::string name = "MINI_REDIS_CH10_CONFIG_TEST_VARIABLE";
    const auto environment = mini_redis::telemetry::process_environment();
    ::unsetenv(name.c_str());
    CHECK(environment(name) == std::nullopt);
    ::setenv(name.c_str(), "value from the process", 1);
    CHECK(environment(name) == "value from the process");
    ::unsetenv(name.c_str());
}
