// An OpenTelemetry collector in the test process: an OTLP/HTTP server (Boost.Beast) on a free
// port of 127.0.0.1 that records every request it receives, and answers as a test tells it to:
// 200, an error status, late, or not at all. Tests of chapter 10 point the server's exporter at
// it and look at the spans that arrive.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mini_redis::testing {

/// One request as the collector received it.
struct OtlpRequest {
    std::string method;
    std::string target;  // "/v1/traces"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    boost::json::value json;     // the body parsed; null if it was not JSON
    std::size_t connection = 0;  // which connection it came on: 1 for the first accepted, 2 ...

    /// The value of header `name` (case-insensitive), or "".
    std::string header(const std::string& name) const;
};

/// How the collector answers the next requests.
struct OtlpAnswer {
    unsigned status = 200;
    std::string retry_after;             // a Retry-After header, if not empty
    std::chrono::milliseconds delay{0};  // wait this long before answering
    bool hang = false;                   // read the request, never answer (until stopped)
};

/// The collector. Starts listening when constructed; stops, and closes every connection, when
/// destroyed. Thread-safe: it runs on a thread of its own.
class OtlpCollector {
public:
    OtlpCollector();
    ~OtlpCollector();
    OtlpCollector(const OtlpCollector&) = delete;
    OtlpCollector& operator=(const OtlpCollector&) = delete;

    unsigned short port() const;
    /// "http://127.0.0.1:<port>/v1/traces"
    std::string traces_url() const;

    /// Answers the next requests with `answers` in turn, then with `then` (200 by default).
    void answer(std::vector<OtlpAnswer> answers, OtlpAnswer then = {});

    /// Every request received so far (answered or not), in order of arrival.
    std::vector<OtlpRequest> requests() const;

    /// Every span of every request answered with a 2xx so far, in order: the span objects of
    /// resourceSpans[].scopeSpans[].spans[], as JSON.
    std::vector<boost::json::object> spans() const;

    /// Waits until at least `count` spans have been accepted (see spans()), or fails the test
    /// after `guard` (a guard against a hang only; scaled for sanitizer builds). Returns spans().
    std::vector<boost::json::object> wait_for_spans(
        std::size_t count, std::chrono::seconds guard = std::chrono::seconds(10));

    /// Waits until at least `count` requests have arrived, or fails the test after `guard`.
    std::vector<OtlpRequest> wait_for_requests(
        std::size_t count, std::chrono::seconds guard = std::chrono::seconds(10));

private:
    struct State;
    std::shared_ptr<State> state_;
};

/// The string value of attribute `key` of an OTLP/JSON span (or resource), or "" if absent.
/// Int values (which OTLP/JSON writes as strings) come back as their digits.
std::string attribute(const boost::json::object& owner, const std::string& key);

}  // namespace mini_redis::testing
