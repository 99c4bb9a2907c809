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

#include "mini_redis/exercise.hpp"

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
[[maybe_unused]] bool boolean(const Environment& environment, const std::string& name)
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
[[maybe_unused]] double ratio(const Setting& setting)
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
[[maybe_unused]] Sampler sampler(const Environment& environment)
{
    // EXERCISE 10.18: Read the sampler variables
    //
    // Read OTEL_TRACES_SAMPLER (default parentbased_always_on; always_on, always_off,
    // traceidratio, each also parentbased_) and, for the two ratio samplers only,
    // OTEL_TRACES_SAMPLER_ARG (a number from 0 to 1, default 1). Anything else is a ConfigError
    // listing what is supported.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.18
    mini_redis::unused(environment);
    mini_redis::todo("10.18", "book/10-observability.md#exercise-1018-the-sampler-variables");
    // END EXERCISE 10.18
}

/// One hex digit's value, or -1.
[[maybe_unused]] int hex_digit(char c)
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
[[maybe_unused]] std::string percent_decode(std::string_view text, const std::string& context)
{
    // EXERCISE 10.20: Decode %XX escapes
    //
    // Return `text` with each %XX (two hex digits, either case) replaced by the byte it names,
    // as the OTEL_* lists allow in keys and values (a comma or an equals sign in a value, say).
    // A '%' not followed by two hex digits is a ConfigError that says so, naming `context`.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.20
    mini_redis::unused(text, context);
    mini_redis::todo("10.20", "book/10-observability.md#exercise-1020-percent-decoding");
    // END EXERCISE 10.20
}

/// Whether `name` can be an HTTP header's name: RFC 9110's "token" characters only. Anything
/// else (a space, a colon) would break the request the exporter writes.
[[maybe_unused]] bool header_name(std::string_view name)
{
    static constexpr std::string_view punctuation = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               punctuation.find(c) != std::string_view::npos;
    });
}

/// Whether `value` can be an HTTP header's value: no control characters but the tab. A
/// decoded "%0D%0A" would otherwise end the header and start one of the sender's choosing.
[[maybe_unused]] bool header_value(std::string_view value)
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
[[maybe_unused]] std::vector<std::pair<std::string, std::string>> key_value_list(const Setting& setting,
                                                                ListKind kind)
{
    // EXERCISE 10.19: Read a key=value list
    //
    // Read a "key1=value1,key2=value2" list (OTEL_RESOURCE_ATTRIBUTES, the headers): split at
    // commas, skip empty entries, split each at its first '=', trim both sides, percent-decode
    // both, and make an entry with no '=' or an empty key a ConfigError naming the setting and
    // the entry. With `headers`, names must be valid HTTP header names and values free of
    // control characters.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.19
    mini_redis::unused(setting, kind);
    mini_redis::todo("10.19", "book/10-observability.md#exercise-1019-a-keyvalue-list");
    // END EXERCISE 10.19
}

/// The generic endpoint is a base URL: traces go to its path plus "v1/traces", with exactly
/// one slash between ("http://host:4318" and "http://host:4318/" both give
/// "http://host:4318/v1/traces"; "http://host/otlp" gives "http://host/otlp/v1/traces").
[[maybe_unused]] std::string traces_url(std::string_view base)
{
    while (!base.empty() && base.back() == '/') {
        base.remove_suffix(1);
    }
    return std::string(base) + "/v1/traces";
}

/// Checks that `url` is an endpoint HttpEndpoint::parse can read, naming the setting `name`
/// (a variable or a flag) that gave it if not, and returns it.
[[maybe_unused]] std::string checked_endpoint(std::string_view name, std::string_view given, std::string url)
{
    try {
        HttpEndpoint::parse(url);
    } catch (const ConfigError& error) {
        throw ConfigError(about(name, given) + error.what());
    }
    return url;
}

/// OTEL_TRACES_EXPORTER: whether spans are exported at all.
[[maybe_unused]] bool exporter_is_none(const Environment& environment)
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
[[maybe_unused]] void check_protocol(const Environment& environment)
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
    // EXERCISE 10.14: Say who we are
    //
    // Return the resource's attributes: service.name ("mini-redis-server" unless
    // OTEL_RESOURCE_ATTRIBUTES or, winning over both, OTEL_SERVICE_NAME says otherwise),
    // service.version, telemetry.sdk.name "mini-redis", telemetry.sdk.language "cpp",
    // telemetry.sdk.version (MINI_REDIS_VERSION), then OTEL_RESOURCE_ATTRIBUTES' other entries.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.14
    mini_redis::unused(environment);
    mini_redis::todo("10.14", "book/10-observability.md#exercise-1014-the-resource");
    // END EXERCISE 10.14
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
    // EXERCISE 10.13: Split an http URL
    //
    // Split an http:// URL into host, port (default "80") and target (path and query, default
    // "/", without any #fragment). An IPv6 address comes in brackets in the URL and goes into
    // `host` without them. https, any other scheme, user@, an empty or bad port, or an empty
    // host: ConfigError saying what is wrong (for https: that it is not supported, and to send
    // to a local collector).
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.13
    mini_redis::unused(url);
    mini_redis::todo("10.13", "book/10-observability.md#exercise-1013-the-endpoint-url");
    // END EXERCISE 10.13
}

TelemetryConfig telemetry_config(const TelemetryFlags& flags, const Environment& environment)
{
    // EXERCISE 10.12: Read the settings
    //
    // Read every setting, as config.hpp documents: on with --otel or an OTLP endpoint variable,
    // off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none; the traces endpoint from
    // the flag, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT
    // plus /v1/traces (traces_url), else the default; headers, timeout, protocol, the sampler,
    // the resource and the OTEL_BSP_* batch settings. Every value is checked even when tracing
    // is off.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.12
    mini_redis::unused(flags, environment);
    mini_redis::todo("10.12", "book/10-observability.md#exercise-1012-the-otel-variables");
    // END EXERCISE 10.12
}

}  // namespace mini_redis::telemetry
