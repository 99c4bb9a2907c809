// The OTLP/HTTP exporter: POSTs each batch of spans, as OTLP/JSON, to a collector, over one
// kept-alive connection (Boost.Beast), retrying what OTLP/HTTP says may succeed later.
//
// The chapter's idea here is that a remote service fails in more than one way, and each way
// wants its own answer: a refused connection or a 503 may work in a second (retry, waiting
// longer each time), a 429 says how long to wait (Retry-After), a 400 will never work (give up at
// once), and a collector that never answers must not hold a batch forever (a timeout per request,
// a deadline per batch). All of it reads top to bottom in export_batch below.
// Book: chapter 10, "Sending it: OTLP over HTTP".
#include "telemetry/otlp_http.hpp"

#include "telemetry/otlp_json.hpp"

#include <spdlog/spdlog.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <random>
#include <string_view>
#include <system_error>

namespace mini_redis::telemetry {

namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool retryable_status(unsigned status)
{
    // "Too many requests" and the three ways a proxy or an overloaded collector says "not now".
    // Everything else that is not a 2xx (400 bad request, 401, 413 too large, 500 ...) would
    // fail the same way again.
    return status == 429 || status == 502 || status == 503 || status == 504;
}

milliseconds backoff(const RetryPolicy& policy, int attempt,
                     std::optional<milliseconds> retry_after)
{
    // The server knows best how busy it is: its Retry-After is taken as it is, no jitter.
    if (retry_after) {
        return std::max(*retry_after, milliseconds(0));
    }
    // initial, initial * m, initial * m^2, ... computed in double (m^attempt grows fast), and
    // capped before converting back, so a large attempt number cannot overflow.
    const double exponent = std::max(attempt - 2, 0);
    const double grown =
        static_cast<double>(policy.initial_backoff.count()) * std::pow(policy.multiplier, exponent);
    const auto capped = static_cast<milliseconds::rep>(
        std::min(grown, static_cast<double>(policy.max_backoff.count())));
    if (capped <= 0) {
        return milliseconds(0);
    }
    // The jitter: a random wait between half and all of it. A collector that refused a hundred
    // servers at once then sees their retries spread out, instead of all of them again at once.
    // Each thread has its own generator, so no thread waits for another to draw a number.
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<milliseconds::rep> share(capped / 2, capped);
    return milliseconds(share(random));
}

namespace {

// What one attempt came to.
struct Attempt {
    bool accepted = false;   // a 2xx
    bool retryable = false;  // may succeed if sent again
    bool reset = false;      // the connection is not usable any more: open a new one next time
    bool stale = false;      // failed on a kept-alive connection before any reply: see below
    std::optional<milliseconds> retry_after;
    std::string failure;  // why it was not accepted, for the log
};

// A Retry-After header in its delay-seconds form ("120"). Its other form, an HTTP date, is
// rare from collectors; we read it as absent, and our own back-off applies.
std::optional<milliseconds> parse_retry_after(std::string_view text)
{
    unsigned long seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    // A day at most: an absurd value must not overflow the conversion to milliseconds.
    return std::chrono::seconds(std::min<unsigned long>(seconds, 86400));
}

// A network error that says a kept-alive connection was closed by the other side while it lay
// idle (the collector or a proxy in between has an idle timeout). We only learn it when we use
// the connection again.
bool closed_by_peer(const boost::system::error_code& ec)
{
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

bool cancelled(const asio::cancellation_state& state)
{
    return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

/// The connection to the collector: a Beast TCP stream, which adds a timeout to every operation
/// on the socket (an expired one closes the socket and ends the operation with
/// beast::error::timeout), and the buffer its reads keep between responses. Owned by the
/// exporter; replaced by a new one after any failure, because after a timeout or an error we
/// cannot know where in a response the stream stands.
struct OtlpHttpExporter::Connection {
    explicit Connection(asio::any_io_executor executor) : stream(std::move(executor)) {}

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool used = false;  // has carried a request and its response before

    /// Looks the host up and connects, before `expiry`.
    asio::awaitable<boost::system::error_code> connect(const HttpEndpoint& endpoint,
                                                       Clock::time_point expiry)
    {
        // The lookup runs on Asio's own resolver thread and cannot be cancelled; for the usual
        // "localhost" or an address it takes no time. The collector is meant to be nearby.
        tcp::resolver resolver(stream.get_executor());
        auto [resolve_error, addresses] =
            co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
        if (resolve_error) {
            co_return resolve_error;
        }
        stream.expires_at(expiry);
        // Tries each address in turn (localhost may be ::1 and 127.0.0.1) until one accepts.
        auto [connect_error, connected] = co_await stream.async_connect(addresses, use_tuple);
        co_return connect_error;
    }

    /// Sends `request` and reads the response, before `expiry`.
    asio::awaitable<Attempt> post(const http::request<http::span_body<const char>>& request,
                                  Clock::time_point expiry)
    {
        Attempt attempt;
        const bool reused = used;
        used = true;
        // One deadline for the write and the read together: a collector that takes the request
        // and then never answers is caught the same way as one that never reads it.
        stream.expires_at(expiry);
        auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
        if (write_error) {
            attempt.retryable = true;
            attempt.reset = true;
            attempt.stale = reused && closed_by_peer(write_error);
            attempt.failure = "sending failed: " + write_error.message();
            co_return attempt;
        }
        http::response<http::string_body> response;
        auto [read_error, read] = co_await http::async_read(stream, buffer, response, use_tuple);
        if (read_error) {
            attempt.retryable = true;
            attempt.reset = true;
            attempt.stale = reused && closed_by_peer(read_error);
            attempt.failure = "no response: " + read_error.message();
            co_return attempt;
        }
        stream.expires_never();  // nothing is pending now; an idle connection needs no timer
        attempt.reset = !response.keep_alive();
        const unsigned status = response.result_int();
        if (status >= 200 && status < 300) {
            // A 200 may still carry a partial success (some spans rejected); OTLP says not to
            // retry those, so accepted it is.
            attempt.accepted = true;
            co_return attempt;
        }
        attempt.retryable = retryable_status(status);
        if (const auto header = response.find(http::field::retry_after); header != response.end()) {
            attempt.retry_after = parse_retry_after(header->value());
        }
        // OTLP collectors explain a refusal in the body (a google.rpc.Status); the start of it
        // is what a reader of the log needs.
        std::string_view body = response.body();
        attempt.failure = "HTTP " + std::to_string(status) + " " +
                          std::string(body.substr(0, std::min<std::size_t>(body.size(), 200)));
        co_return attempt;
    }
};

OtlpHttpExporter::OtlpHttpExporter(asio::any_io_executor executor, const TelemetryConfig& config,
                                   RetryPolicy retry)
    : executor_(std::move(executor)),
      endpoint_(HttpEndpoint::parse(config.endpoint)),
      headers_(config.headers),
      resource_(config.resource),
      request_timeout_(config.request_timeout),
      retry_(retry)
{
}

// Defined here, where Connection is a complete type, so unique_ptr knows how to delete it.
OtlpHttpExporter::~OtlpHttpExporter() = default;

asio::awaitable<bool> OtlpHttpExporter::export_batch(std::vector<SpanData> spans,
                                                     Clock::time_point deadline)
{
    if (spans.empty()) {
        co_return true;
    }
    const std::size_t count = spans.size();
    std::string failure;
    int attempts = 0;
    // Everything below may throw (bad_alloc, or Asio's "operation aborted" when an await begins
    // after the export was cancelled); none of it may escape: the export coroutine must live on.
    try {
        // Built once, sent as many times as it takes: a Beast request is not consumed by writing
        // it, so the JSON is encoded once per batch, into a buffer kept for the next.
        http::request<http::span_body<const char>> request{http::verb::post, endpoint_.target, 11};
        // An IPv6 address goes in brackets in a Host header, as in a URL (HttpEndpoint keeps it
        // without them, as the resolver wants it).
        const auto host = endpoint_.host.find(':') == std::string::npos
                              ? endpoint_.host
                              : "[" + endpoint_.host + "]";
        request.set(http::field::host, endpoint_.port == "80" ? host : host + ":" + endpoint_.port);
        request.set(http::field::user_agent, std::string("mini-redis/") + MINI_REDIS_VERSION);
        request.set(http::field::content_type, "application/json");
        for (const auto& [name, value] : headers_) {
            request.set(name, value);  // e.g. an API key the collector wants
        }
        request.keep_alive(true);
        encode_export_request(spans, resource_, body_);
        request.body() = {body_.data(), body_.size()};  // the request points at body_
        request.prepare_payload();                      // Content-Length

        asio::steady_timer timer(executor_);
        const int max_attempts = std::max(retry_.max_attempts, 1);
        for (;;) {
            if (Clock::now() >= deadline) {
                failure += failure.empty() ? "the deadline passed" : "; then the deadline passed";
                break;
            }
            ++attempts;
            // This request's own time limit, but never past the batch's deadline.
            const auto expiry = std::min(Clock::now() + request_timeout_, deadline);

            Attempt attempt;
            if (!connection_) {
                auto fresh = std::make_unique<Connection>(executor_);
                const auto ec = co_await fresh->connect(endpoint_, expiry);
                if (ec) {
                    attempt.retryable = true;  // the collector may be starting, or restarting
                    attempt.failure = "cannot connect to " + endpoint_.host + ":" + endpoint_.port +
                                      ": " + ec.message();
                } else {
                    connection_ = std::move(fresh);
                }
            }
            if (connection_) {
                attempt = co_await connection_->post(request, expiry);
                if (attempt.reset) {
                    connection_.reset();  // closes the socket; the next attempt connects anew
                }
            }
            if (attempt.accepted) {
                co_return true;
            }

            // Cancelled (the server is shutting down and its grace period is over): whatever
            // the operation above reported, stop here.
            const auto state = co_await asio::this_coro::cancellation_state;
            if (cancelled(state)) {
                failure = "cancelled";
                break;
            }
            // A kept-alive connection the collector closed while it lay idle fails the moment we
            // use it. That says nothing about the collector, so send again at once on a new
            // connection, and do not count it as an attempt.
            if (attempt.stale) {
                --attempts;
                continue;
            }
            failure = attempt.failure;
            if (!attempt.retryable) {
                break;  // permanent: sending it again would fail the same way
            }
            if (attempts >= max_attempts) {
                failure += "; no attempts left";
                break;
            }
            const auto wait = backoff(retry_, attempts + 1, attempt.retry_after);
            if (Clock::now() + wait >= deadline) {
                // No point in waiting for a retry the deadline would cut short.
                failure += "; the next retry would be past the deadline";
                break;
            }
            // Suspends this export only: the server goes on serving, and spans go on queueing.
            // A cancellation (shutdown) ends the wait at once with operation_aborted.
            timer.expires_after(wait);
            auto [ec] = co_await timer.async_wait(use_tuple);
            if (ec) {
                failure += "; cancelled while waiting to retry";
                break;
            }
        }
    } catch (const std::exception& e) {
        connection_.reset();
        failure = e.what();
    } catch (...) {
        connection_.reset();
        failure = "unknown exception";
    }
    // Once per batch, whatever the number of attempts: a collector that is down for an hour must
    // not fill the server's log with one line per retry.
    spdlog::warn("telemetry: {} span(s) not exported to http://{}:{}{} after {} attempt(s): {}",
                 count, endpoint_.host, endpoint_.port, endpoint_.target, attempts, failure);
    co_return false;
}

}  // namespace mini_redis::telemetry
