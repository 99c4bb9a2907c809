// Telemetry's settings, read the OpenTelemetry way: from the standard OTEL_* environment
// variables, which every OpenTelemetry SDK reads, so one deployment's settings work for all of
// its programs; and from the server's own flags. Off unless asked for. Book: chapter 10,
// "Turning it on".
#pragma once

#include "telemetry/ids.hpp"
#include "telemetry/sampler.hpp"
#include "telemetry/span.hpp"
#include "telemetry/span_queue.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mini_redis::telemetry {

/// Where OTLP/HTTP requests go, from a URL such as http://localhost:4318/v1/traces.
struct HttpEndpoint {
    std::string host;    // a name or address; an IPv6 address without its [ ] (as a resolver
                         // wants it; a Host header puts them back)
    std::string port;    // "4318"; "80" when the URL gives none
    std::string target;  // "/v1/traces": the path and any ?query, never empty, never a #fragment

    /// Reads an http:// URL; throws ConfigError for anything else (https needs TLS, which this
    /// server does not do: send to a collector nearby, which can forward over TLS).
    static HttpEndpoint parse(const std::string& url);
};

/// Everything the server needs to trace, or `enabled == false`.
struct TelemetryConfig {
    bool enabled = false;
    std::string endpoint = "http://localhost:4318/v1/traces";
    std::vector<std::pair<std::string, std::string>> headers;  // sent with every export
    std::chrono::milliseconds request_timeout{10000};          // one HTTP request
    std::vector<Attribute> resource;  // who we are: service.name, service.version, telemetry.sdk.*
    Sampler sampler;
    IdFormat id_format = IdFormat::random;
    BatchOptions batch;
};

/// A setting that cannot be used, with a message that names it and says what would do.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The server's telemetry flags (main.cpp): --otel, --otel-endpoint URL, --otel-xray-ids.
struct TelemetryFlags {
    bool otel = false;
    std::optional<std::string> endpoint;
    bool xray_ids = false;
};

/// Looks a variable up: the process's environment in the server, a table in tests.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

/// The process's environment (getenv).
Environment process_environment();

/// Reads the settings. Telemetry is on when --otel is given or OTEL_EXPORTER_OTLP_ENDPOINT or
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, and off, whatever else says, when
/// OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is none. The traces endpoint is
/// --otel-endpoint, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else
/// OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces appended, else the default. Also read:
/// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG),
/// OTEL_EXPORTER_OTLP_(TRACES_)HEADERS, _TIMEOUT and _PROTOCOL (http/json only), OTEL_BSP_*.
/// A generic OTEL_EXPORTER_OTLP_* variable replaced by its _TRACES_ twin (or by the flag) is
/// not read at all: a shared environment may mean it for another program's metrics or logs.
/// Throws ConfigError for a value that cannot be used, even when telemetry is off, so a typo
/// is found at start and not when someone turns tracing on.
TelemetryConfig telemetry_config(const TelemetryFlags& flags, const Environment& environment);

}  // namespace mini_redis::telemetry
