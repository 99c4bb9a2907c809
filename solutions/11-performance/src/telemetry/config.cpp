// Telemetry's settings: see config.hpp. How a program reads the OTEL_* variables every
// OpenTelemetry SDK reads, and refuses, at start and with a message that says what would do,
// any value it cannot honour. Book: chapter 10, "Turning it on".
//
// The rules come from OpenTelemetry's "Environment Variable Specification" and its OTLP
// exporter page, with one deliberate difference: where the specification says an SDK should
// log a warning and carry on (an unknown sampler, an unreadable number), this server stops
// with a ConfigError instead. A server that starts without the tracing its operator asked for
// is found out only when someone needs the traces; one that refuses to start is found out
// at once.
//
// Three rules run through the whole file:
// - An empty variable counts as unset (the specification says so: `export X=` is a common
//   way to switch something back to its default).
// - A signal-specific variable (OTEL_EXPORTER_OTLP_TRACES_*) replaces its generic twin
//   (OTEL_EXPORTER_OTLP_*), and a replaced variable is not read at all: one deployment often
//   shares its environment between programs, and the generic value may be meant for another
//   program's metrics or logs.
// - Everything that is read is checked, whether or not telemetry ends up on.
#include "telemetry/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <system_error>

namespace mini_redis::telemetry {

namespace {
namespace env_reading {  // a name of its own: a unity build puts this file next to others

/// The text without spaces or tabs at either end: `OTEL_TRACES_SAMPLER=" always_on"` is
/// what the user meant, and the specification asks for it in key=value lists.
std::string_view trim(std::string_view text)
{
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

/// Lower case, for values the specification compares without regard to case (enums, true).
std::string lower(std::string_view text)
{
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

/// `text` in double quotes, so an error shows exactly what it read, spaces and all.
std::string quoted(std::string_view text)
{
    std::string result;
    result.reserve(text.size() + 2);
    result += '"';
    result += text;
    result += '"';
    return result;
}

/// The start of every error about one setting: `NAME="value": `.
std::string about(std::string_view name, std::string_view value)
{
    return std::string(name) + "=" + quoted(value) + ": ";
}

/// A variable's value, trimmed; nothing when it is unset or empty.
std::optional<std::string> read(const Environment& environment, const std::string& name)
{
    auto value = environment(name);
    if (!value) {
        return std::nullopt;
    }
    const auto trimmed = trim(*value);
    if (trimmed.empty()) {
        return std::nullopt;
    }
    return std::string(trimmed);
}

/// A setting found in the environment, and which variable it came from (for error messages).
struct Setting {
    std::string name;
    std::string value;
};

/// The signal-specific variable if it is set, else the generic one, else nothing.
std::optional<Setting> traces_or_generic(const Environment& environment,
                                         const std::string& traces_name,
                                         const std::string& generic_name)
{
    if (auto value = read(environment, traces_name)) {
        return Setting{traces_name, *value};
    }
    if (auto value = read(environment, generic_name)) {
        return Setting{generic_name, *value};
    }
    return std::nullopt;
}

/// A boolean the specification's way: only "true", in any case, is true. Anything but true or
/// false is refused (the specification only asks for a warning): OTEL_SDK_DISABLED=1 was
/// surely meant to disable, and quietly tracing anyway would be the wrong guess.
bool boolean(const Environment& environment, const std::string& name)
{
    const auto value = read(environment, name);
    if (!value) {
        return false;
    }
    const auto word = lower(*value);
    if (word == "true") {
        return true;
    }
    if (word == "false") {
        return false;
    }
    throw ConfigError(about(name, *value) + "expected true or false");
}

/// The largest whole number the specification asks every SDK to accept (2^31 - 1).
constexpr long long largest_integer = 2147483647;

/// A whole number from 1 to 2^31 - 1. Zero is refused too: a queue of no spans, a batch of
/// none or a timeout of no time would each mean "never export", which is what
/// OTEL_TRACES_EXPORTER=none says plainly.
long long positive_integer(const Setting& setting)
{
    long long number = 0;
    const char* first = setting.value.data();
    const char* last = first + setting.value.size();
    // from_chars, not stoll: it neither skips characters nor accepts a "+" or trailing junk,
    // so "10s" or "1e3" are refused rather than read as 10 or 1.
    const auto [end, error] = std::from_chars(first, last, number);
    if (error != std::errc() || end != last || number < 1 || number > largest_integer) {
        throw ConfigError(about(setting.name, setting.value) +
                          "expected a whole number from 1 to 2147483647");
    }
    return number;
}

/// A duration in milliseconds, the unit every OTEL_* duration uses.
std::chrono::milliseconds milliseconds(const Setting& setting)
{
    return std::chrono::milliseconds(positive_integer(setting));
}

/// OTEL_TRACES_SAMPLER_ARG for a ratio sampler: a number from 0 to 1.
double ratio(const Setting& setting)
{
    double number = 0;
    const char* first = setting.value.data();
    const char* last = first + setting.value.size();
    const auto [end, error] = std::from_chars(first, last, number);
    // from_chars reads "nan" and "inf" as numbers; isfinite keeps them out.
    if (error != std::errc() || end != last || !std::isfinite(number) || number < 0.0 ||
        number > 1.0) {
        throw ConfigError(about(setting.name, setting.value) +
                          "expected a number from 0 to 1, the share of traces kept (e.g. 0.25)");
    }
    return number;
}

/// OTEL_TRACES_SAMPLER and, for the ratio samplers, OTEL_TRACES_SAMPLER_ARG.
Sampler sampler(const Environment& environment)
{
    Sampler chosen;  // parentbased_always_on, the specification's default
    const auto name = read(environment, "OTEL_TRACES_SAMPLER");
    if (!name) {
        return chosen;
    }
    std::string root = lower(*name);
    chosen.parent_based = root.rfind("parentbased_", 0) == 0;
    if (chosen.parent_based) {
        root.erase(0, std::string_view("parentbased_").size());
    }
    if (root == "always_on") {
        chosen.kind = Sampler::Kind::always_on;
    } else if (root == "always_off") {
        chosen.kind = Sampler::Kind::always_off;
    } else if (root == "traceidratio") {
        chosen.kind = Sampler::Kind::trace_id_ratio;
    } else {
        throw ConfigError(about("OTEL_TRACES_SAMPLER", *name) +
                          "expected one of always_on, always_off, traceidratio, "
                          "parentbased_always_on, parentbased_always_off, "
                          "parentbased_traceidratio (samplers that ask a remote service, such as "
                          "jaeger_remote and xray, are not supported)");
    }
    // The argument means something to the ratio samplers only; the specification says the
    // others ignore it, so it is not read (nor checked) for them. Unset: 1.0, keep everything.
    if (chosen.kind == Sampler::Kind::trace_id_ratio) {
        if (auto argument = read(environment, "OTEL_TRACES_SAMPLER_ARG")) {
            chosen.ratio = ratio(Setting{"OTEL_TRACES_SAMPLER_ARG", *argument});
        }
    }
    return chosen;
}

/// One hex digit's value, or -1.
int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// Undoes percent-encoding ("a%2Cb" is "a,b"), which is how a value carries a comma or an
/// equals sign through a comma-separated key=value list. A "%" without two hex digits after
/// it is refused: guessing what it meant would send a wrong value without a word.
std::string percent_decode(std::string_view text, const std::string& context)
{
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded += text[i];
            continue;
        }
        const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            throw ConfigError(context + "a % must be followed by two hex digits (%2C is a comma)");
        }
        decoded += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return decoded;
}

/// Whether `name` can be an HTTP header's name: RFC 9110's "token" characters only. Anything
/// else (a space, a colon) would break the request the exporter writes.
bool header_name(std::string_view name)
{
    static constexpr std::string_view punctuation = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               punctuation.find(c) != std::string_view::npos;
    });
}

/// Whether `value` can be an HTTP header's value: no control characters but the tab. A
/// decoded "%0D%0A" would otherwise end the header and start one of the sender's choosing.
bool header_value(std::string_view value)
{
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte == 0x7f;
    });
}

/// What a key=value list is for: the checks differ between resource attributes and headers.
enum class ListKind { resource, headers };

/// Reads "key1=value1,key2=value2" (the W3C Baggage format, without its ";" properties):
/// keys and values trimmed, values percent-decoded. An empty entry (a trailing comma) is
/// skipped; an entry without "=" or without a key is refused, named in the message.
std::vector<std::pair<std::string, std::string>> key_value_list(const Setting& setting,
                                                                ListKind kind)
{
    std::vector<std::pair<std::string, std::string>> entries;
    std::string_view rest = setting.value;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto entry = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (entry.empty()) {
            continue;
        }
        const auto context = about(setting.name, setting.value) + "entry " + quoted(entry) + ": ";
        const auto equals = entry.find('=');
        if (equals == std::string_view::npos) {
            throw ConfigError(context + "expected key=value");
        }
        const auto key = trim(entry.substr(0, equals));
        if (key.empty()) {
            throw ConfigError(context + "the key before = is empty");
        }
        auto value = percent_decode(trim(entry.substr(equals + 1)), context);
        if (kind == ListKind::headers && !header_name(key)) {
            throw ConfigError(context + "a header name may hold letters, digits and " +
                              "!#$%&'*+-.^_`|~ only");
        }
        if (kind == ListKind::headers && !header_value(value)) {
            throw ConfigError(context + "a header value may not hold control characters");
        }
        entries.emplace_back(std::string(key), std::move(value));
    }
    return entries;
}

/// The generic endpoint is a base URL: traces go to its path plus "v1/traces", with exactly
/// one slash between ("http://host:4318" and "http://host:4318/" both give
/// "http://host:4318/v1/traces"; "http://host/otlp" gives "http://host/otlp/v1/traces").
std::string traces_url(std::string_view base)
{
    while (!base.empty() && base.back() == '/') {
        base.remove_suffix(1);
    }
    return std::string(base) + "/v1/traces";
}

/// Checks that `url` is an endpoint HttpEndpoint::parse can read, naming the setting `name`
/// (a variable or a flag) that gave it if not, and returns it.
std::string checked_endpoint(std::string_view name, std::string_view given, std::string url)
{
    try {
        HttpEndpoint::parse(url);
    } catch (const ConfigError& error) {
        throw ConfigError(about(name, given) + error.what());
    }
    return url;
}

/// OTEL_TRACES_EXPORTER: whether spans are exported at all.
bool exporter_is_none(const Environment& environment)
{
    const auto value = read(environment, "OTEL_TRACES_EXPORTER");
    if (!value) {
        return false;  // otlp, the default
    }
    const auto word = lower(*value);
    if (word == "otlp") {
        return false;
    }
    if (word == "none") {
        return true;
    }
    throw ConfigError(about("OTEL_TRACES_EXPORTER", *value) +
                      "expected otlp (the default) or none; this server exports OTLP only");
}

/// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: only http/json, which is what this server sends.
void check_protocol(const Environment& environment)
{
    const auto setting = traces_or_generic(environment, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                                           "OTEL_EXPORTER_OTLP_PROTOCOL");
    if (setting && lower(setting->value) != "http/json") {
        throw ConfigError(about(setting->name, setting->value) +
                          "this server sends OTLP as http/json only; an OpenTelemetry Collector "
                          "accepts http/json on port 4318 (set http/json, or leave it unset)");
    }
}

/// Who we are: the resource every exported batch carries. Defaults first, then
/// OTEL_RESOURCE_ATTRIBUTES (which may add keys or replace a default's value), then
/// OTEL_SERVICE_NAME, which the specification says wins over a service.name in the list.
std::vector<Attribute> resource(const Environment& environment)
{
    std::vector<std::pair<std::string, std::string>> attributes = {
        {"service.name", "mini-redis-server"},         {"service.version", MINI_REDIS_VERSION},
        {"telemetry.sdk.name", "mini-redis"},          {"telemetry.sdk.language", "cpp"},
        {"telemetry.sdk.version", MINI_REDIS_VERSION},
    };
    // One entry per key, the last word winning, in the order keys were first seen.
    const auto set = [&attributes](std::string key, std::string value) {
        const auto same_key = [&key](const auto& entry) { return entry.first == key; };
        if (auto found = std::find_if(attributes.begin(), attributes.end(), same_key);
            found != attributes.end()) {
            found->second = std::move(value);
        } else {
            attributes.emplace_back(std::move(key), std::move(value));
        }
    };
    if (auto list = read(environment, "OTEL_RESOURCE_ATTRIBUTES")) {
        for (auto& [key, value] :
             key_value_list(Setting{"OTEL_RESOURCE_ATTRIBUTES", *list}, ListKind::resource)) {
            set(std::move(key), std::move(value));
        }
    }
    if (auto name = read(environment, "OTEL_SERVICE_NAME")) {
        set("service.name", *name);
    }

    std::vector<Attribute> result;
    result.reserve(attributes.size());
    for (auto& [key, value] : attributes) {
        result.push_back(Attribute{std::move(key), std::move(value)});
    }
    return result;
}

}  // namespace env_reading
}  // namespace

Environment process_environment()
{
    // getenv reads the process's environment, which nothing in this server changes after
    // start (setenv while another thread calls getenv is a data race in C and C++).
    return [](const std::string& name) -> std::optional<std::string> {
        if (const char* value = std::getenv(name.c_str())) {
            return std::string(value);
        }
        return std::nullopt;
    };
}

HttpEndpoint HttpEndpoint::parse(const std::string& url)
{
    using env_reading::quoted;
    const auto refuse = [&url](const std::string& why) {
        return ConfigError(quoted(url) + ": " + why);
    };

    // The scheme, compared without regard to case as URLs are. Only plain http: TLS would
    // bring a TLS library and certificate handling into a server that has no other use for
    // them, and a collector on the same machine or network does it better.
    constexpr std::string_view scheme = "http://";
    if (env_reading::lower(std::string_view(url).substr(0, scheme.size())) != scheme) {
        throw refuse(
            "only http:// URLs (http://host[:port][/path]) are supported; https is not "
            "supported, as this server does not do TLS: send to a collector nearby over http "
            "(an OpenTelemetry Collector listens on port 4318), which can forward over TLS");
    }

    // The authority (host and port) runs to the first "/", "?" or "#"; the rest is the path
    // (and query) the request asks for. A "#fragment" is never sent to a server.
    std::string_view rest = std::string_view(url).substr(scheme.size());
    const auto authority_end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, authority_end);
    std::string_view path =
        authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
    path = path.substr(0, path.find('#'));

    HttpEndpoint endpoint;
    endpoint.target =
        path.empty() || path.front() != '/' ? std::string("/").append(path) : std::string(path);
    if (!env_reading::header_value(endpoint.target) ||
        endpoint.target.find(' ') != std::string::npos) {
        throw refuse("spaces and control characters in the path must be percent-encoded");
    }
    if (authority.find('@') != std::string_view::npos) {
        throw refuse(
            "a user name or password in the URL is not supported; send credentials as a "
            "header (OTEL_EXPORTER_OTLP_HEADERS)");
    }

    // The host: a name, an IPv4 address, or an IPv6 address in brackets (its colons would
    // otherwise be taken for the port's). The brackets are not kept: the resolver wants the
    // bare address.
    std::string_view port;
    bool port_given = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw refuse("an IPv6 address opened with [ must be closed with ]");
        }
        const auto address = authority.substr(1, close - 1);
        const bool ipv6_characters = std::all_of(address.begin(), address.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        });
        if (address.find(':') == std::string_view::npos || !ipv6_characters) {
            throw refuse(quoted(address) + " between [ and ] is not an IPv6 address");
        }
        endpoint.host = address;
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            throw refuse("expected :port or the path after the IPv6 address's ]");
        }
        port_given = !after.empty();
        port = port_given ? after.substr(1) : std::string_view();
    } else {
        const auto colon = authority.find(':');
        endpoint.host = authority.substr(0, colon);
        port_given = colon != std::string_view::npos;
        port = port_given ? authority.substr(colon + 1) : std::string_view();
        const bool name_characters =
            std::all_of(endpoint.host.begin(), endpoint.host.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                       c == '_' || c == '~';
            });
        if (!name_characters) {
            throw refuse(quoted(endpoint.host) + " is not a host name or IPv4 address");
        }
    }
    if (endpoint.host.empty()) {
        throw refuse("no host (an IPv6 address goes in brackets: http://[::1]:4318/v1/traces)");
    }

    // The port: 80, HTTP's own, when the URL names none, as every HTTP client does.
    if (!port_given) {
        endpoint.port = "80";
        return endpoint;
    }
    unsigned number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 ||
        number > 65535) {
        throw refuse("the port " + quoted(port) + " is not a number from 1 to 65535");
    }
    endpoint.port = std::to_string(number);  // "04318" is 4318
    return endpoint;
}

TelemetryConfig telemetry_config(const TelemetryFlags& flags, const Environment& environment)
{
    using env_reading::read;
    using env_reading::Setting;
    using env_reading::traces_or_generic;

    TelemetryConfig config;

    // The switches. Every value below is read and checked before `enabled` is decided, so a
    // typo is reported now, not on the day someone turns tracing on.
    const bool sdk_disabled = env_reading::boolean(environment, "OTEL_SDK_DISABLED");
    const bool exporter_none = env_reading::exporter_is_none(environment);

    // Where spans go: the flag, else the traces variable as it is, else the base URL with the
    // traces path added, else the default (a collector on this machine).
    const auto traces_endpoint = read(environment, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    const auto base_endpoint = read(environment, "OTEL_EXPORTER_OTLP_ENDPOINT");
    if (flags.endpoint) {
        config.endpoint =
            env_reading::checked_endpoint("--otel-endpoint", *flags.endpoint, *flags.endpoint);
    } else if (traces_endpoint) {
        config.endpoint = env_reading::checked_endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                                        *traces_endpoint, *traces_endpoint);
    } else if (base_endpoint) {
        config.endpoint = env_reading::checked_endpoint(
            "OTEL_EXPORTER_OTLP_ENDPOINT", *base_endpoint, env_reading::traces_url(*base_endpoint));
    }

    // How: headers (an API key, often), one request's timeout, and the protocol.
    if (auto headers = traces_or_generic(environment, "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                                         "OTEL_EXPORTER_OTLP_HEADERS")) {
        config.headers = env_reading::key_value_list(*headers, env_reading::ListKind::headers);
    }
    if (auto timeout = traces_or_generic(environment, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
                                         "OTEL_EXPORTER_OTLP_TIMEOUT")) {
        config.request_timeout = env_reading::milliseconds(*timeout);
    }
    env_reading::check_protocol(environment);

    // Who we are, which traces, and what their ids look like.
    config.resource = env_reading::resource(environment);
    config.sampler = env_reading::sampler(environment);
    config.id_format = flags.xray_ids ? IdFormat::xray : IdFormat::random;

    // The batch processor. Each of the four replaces one default; then the two sizes must
    // agree, since a batch is taken from the queue and cannot be larger than it.
    const auto integer = [&environment](const char* name) -> std::optional<Setting> {
        if (auto value = read(environment, name)) {
            return Setting{name, *value};
        }
        return std::nullopt;
    };
    if (auto delay = integer("OTEL_BSP_SCHEDULE_DELAY")) {
        config.batch.schedule_delay = env_reading::milliseconds(*delay);
    }
    if (auto timeout = integer("OTEL_BSP_EXPORT_TIMEOUT")) {
        config.batch.export_timeout = env_reading::milliseconds(*timeout);
    }
    if (auto size = integer("OTEL_BSP_MAX_QUEUE_SIZE")) {
        config.batch.max_queue_size =
            static_cast<std::size_t>(env_reading::positive_integer(*size));
    }
    if (auto size = integer("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")) {
        config.batch.max_export_batch_size =
            static_cast<std::size_t>(env_reading::positive_integer(*size));
    }
    if (config.batch.max_export_batch_size > config.batch.max_queue_size) {
        throw ConfigError("OTEL_BSP_MAX_EXPORT_BATCH_SIZE (" +
                          std::to_string(config.batch.max_export_batch_size) +
                          ") must not exceed OTEL_BSP_MAX_QUEUE_SIZE (" +
                          std::to_string(config.batch.max_queue_size) +
                          "): a batch is taken from the queue");
    }

    // On when asked for, by a flag or by naming a collector; off, whatever asked, when the
    // operator said so with the SDK's own switches.
    const bool asked = flags.otel || flags.endpoint || traces_endpoint || base_endpoint;
    config.enabled = asked && !sdk_disabled && !exporter_none;
    return config;
}

}  // namespace mini_redis::telemetry
