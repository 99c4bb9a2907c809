// Chapter 10: the OTLP/HTTP exporter against an in-process collector (OtlpCollector), which
// records every request and answers as each test says: 200, 503, 429, 400, or never. Each test
// asserts what happened (the answer, how many requests, on which connection), never how long it
// took; the short timeouts and back-offs only keep the tests quick, and every wait has a guard.
#include "telemetry/otlp_http.hpp"

#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/free_port.hpp"
#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/otlp_collector.hpp"

#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace mini_redis::telemetry;
namespace asio = boost::asio;
using mini_redis::testing::block_on;
using mini_redis::testing::hang_guard;
using mini_redis::testing::OtlpAnswer;
using mini_redis::testing::OtlpCollector;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

SpanData span_named(std::string name)
{
    SpanData span;
    span.trace_id.bytes[0] = 1;
    span.span_id.bytes[0] = 2;
    span.name = std::move(name);
    span.kind = SpanKind::server;
    span.start_time_unix_nano = 1'700'000'000'000'000'000;
    span.end_time_unix_nano = 1'700'000'000'000'001'000;
    return span;
}

OtlpAnswer status(unsigned code, std::string retry_after = "")
{
    OtlpAnswer answer;
    answer.status = code;
    answer.retry_after = std::move(retry_after);
    return answer;
}

OtlpAnswer hang()
{
    OtlpAnswer answer;
    answer.hang = true;
    return answer;
}

TelemetryConfig config_for(const std::string& url)
{
    TelemetryConfig config;
    config.enabled = true;
    config.endpoint = url;
    config.request_timeout = hang_guard(milliseconds(10000));
    config.resource = {{"service.name", std::string("mini-redis")}};
    return config;
}

// Retries at once (a millisecond or so apart), so a test that expects none sees any that happen.
RetryPolicy quick_retries(int max_attempts = 5)
{
    return RetryPolicy{max_attempts, milliseconds(1), milliseconds(4), 2.0};
}

// Exports `batches` one after the other through one exporter (so one connection), calling
// `between` after each; returns each batch's result. `budget` is each batch's deadline, from
// the moment it starts.
asio::awaitable<std::vector<bool>> export_each(TelemetryConfig config, RetryPolicy retry,
                                               std::vector<std::vector<SpanData>> batches,
                                               milliseconds budget,
                                               std::function<void()> between = {})
{
    OtlpHttpExporter exporter(co_await asio::this_coro::executor, config, retry);
    std::vector<bool> results;
    for (auto& batch : batches) {
        const auto deadline = Clock::now() + budget;
        auto sending = exporter.export_batch(std::move(batch), deadline);
        results.push_back(co_await std::move(sending));
        if (between) {
            between();
        }
    }
    co_return results;
}

bool export_one(const TelemetryConfig& config, RetryPolicy retry, milliseconds budget,
                std::vector<SpanData> batch = {span_named("GET")})
{
    std::vector<std::vector<SpanData>> batches;
    batches.push_back(std::move(batch));
    return block_on(export_each(config, retry, std::move(batches), budget), milliseconds(20000))
        .at(0);
}

asio::awaitable<bool> export_once(TelemetryConfig config, RetryPolicy retry,
                                  Clock::time_point deadline)
{
    OtlpHttpExporter exporter(co_await asio::this_coro::executor, config, retry);
    std::vector<SpanData> batch{span_named("GET")};
    auto sending = exporter.export_batch(std::move(batch), deadline);
    co_return co_await std::move(sending);
}

// Starts an export on a thread of its own, waits until the collector has its first request,
// then cancels the export (as a shutdown's deadline does). Returns whether the export ended
// within the guard, and its result.
std::pair<bool, bool> export_then_cancel(OtlpCollector& collector, TelemetryConfig config,
                                         RetryPolicy retry, Clock::time_point deadline)
{
    asio::io_context context;
    asio::cancellation_signal cancel;
    auto result = asio::co_spawn(context, export_once(config, retry, deadline),
                                 asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
    std::thread runner([&context] { context.run(); });
    struct Join {
        asio::io_context& context;
        std::thread& runner;
        ~Join()
        {
            context.stop();
            runner.join();
        }
    } join{context, runner};

    collector.wait_for_requests(1);
    // Cancellation must be emitted on the export's own thread: the signal is not thread-safe.
    asio::post(context, [&cancel] { cancel.emit(asio::cancellation_type::terminal); });
    if (result.wait_for(hang_guard(milliseconds(5000))) != std::future_status::ready) {
        return {false, false};
    }
    return {true, result.get()};
}

}  // namespace

TEST_CASE("a batch arrives as a JSON POST to the endpoint's path with the configured headers",
          "[ch10][ex10.11]")
{
    OtlpCollector collector;
    auto config = config_for(collector.traces_url());
    config.headers = {{"x-api-key", "secret"}, {"x-tenant", "workbook"}};

    CHECK(export_one(config, quick_retries(), hang_guard(milliseconds(10000)),
                     {span_named("GET"), span_named("SET")}));

    const auto requests = collector.requests();
    REQUIRE(requests.size() == 1);
    const auto& request = requests[0];
    CHECK(request.method == "POST");
    CHECK(request.target == "/v1/traces");
    CHECK(request.header("Content-Type") == "application/json");
    CHECK(request.header("X-Api-Key") == "secret");
    CHECK(request.header("x-tenant") == "workbook");
    CHECK(request.header("Host") == "127.0.0.1:" + std::to_string(collector.port()));
    INFO("the body: " << request.body);
    REQUIRE(request.json.is_object());
    const auto spans = collector.spans();
    REQUIRE(spans.size() == 2);
    CHECK(spans[0].at("name") == "GET");
    CHECK(spans[1].at("name") == "SET");
    CHECK(spans[0].at("traceId") == "01000000000000000000000000000000");
    const auto& resource = request.json.at("resourceSpans").at(0).at("resource").as_object();
    CHECK(mini_redis::testing::attribute(resource, "service.name") == "mini-redis");
}

TEST_CASE("two batches go over one kept-alive connection", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    std::vector<std::vector<SpanData>> batches{{span_named("first")}, {span_named("second")}};
    const auto results = block_on(export_each(config_for(collector.traces_url()), quick_retries(),
                                              std::move(batches), hang_guard(milliseconds(10000))),
                                  milliseconds(20000));
    CHECK(results == std::vector<bool>{true, true});

    const auto requests = collector.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].connection == requests[1].connection);
    CHECK(collector.spans().size() == 2);
}

TEST_CASE("a 503 is retried, and the batch is accepted by the second request", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    collector.answer({status(503)});
    CHECK(export_one(config_for(collector.traces_url()), quick_retries(),
                     hang_guard(milliseconds(10000))));
    CHECK(collector.requests().size() == 2);
    CHECK(collector.spans().size() == 1);
}

TEST_CASE("a 429's Retry-After is honoured instead of the back-off", "[ch10][ex10.11][ex10.10]")
{
    OtlpCollector collector;
    collector.answer({status(429, "0")});
    // The policy's own back-off (an hour) would pass the deadline, so the exporter would give up
    // at once: only a Retry-After of 0 that wins gets the batch through.
    const RetryPolicy hour_long{5, std::chrono::hours(1), std::chrono::hours(1), 2.0};
    CHECK(
        export_one(config_for(collector.traces_url()), hour_long, hang_guard(milliseconds(10000))));
    CHECK(collector.requests().size() == 2);
}

TEST_CASE("a 400 is not retried, and the batch is given up", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    collector.answer({}, status(400));
    CHECK_FALSE(export_one(config_for(collector.traces_url()), quick_retries(),
                           hang_guard(milliseconds(10000))));
    CHECK(collector.requests().size() == 1);
    CHECK(collector.spans().empty());
}

TEST_CASE("retries stop after max_attempts", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    collector.answer({}, status(503));
    CHECK_FALSE(export_one(config_for(collector.traces_url()), quick_retries(3),
                           hang_guard(milliseconds(10000))));
    CHECK(collector.requests().size() == 3);
}

TEST_CASE(
    "a collector that never answers fails the batch at the request timeout, and the "
    "exporter works again afterwards",
    "[ch10]")
{
    OtlpCollector collector;
    collector.answer({}, hang());
    auto config = config_for(collector.traces_url());
    config.request_timeout = hang_guard(milliseconds(500));

    std::vector<std::vector<SpanData>> batches{{span_named("lost")}, {span_named("sent")}};
    // After the first batch, the collector answers again.
    const auto results = block_on(
        export_each(config, quick_retries(2), std::move(batches), hang_guard(milliseconds(10000)),
                    [&collector] { collector.answer({}); }),
        milliseconds(20000));
    CHECK(results == std::vector<bool>{false, true});
    const auto spans = collector.spans();
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].at("name") == "sent");
    // The last request went on a new connection: the hung one was closed at its timeout.
    const auto requests = collector.requests();
    REQUIRE(requests.size() >= 2);
    CHECK(requests.back().connection != requests.front().connection);
}

TEST_CASE("a request is cut short by the batch's deadline when that comes first", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    collector.answer({}, hang());
    auto config = config_for(collector.traces_url());
    config.request_timeout = std::chrono::hours(1);  // only the deadline can end the wait
    CHECK_FALSE(export_one(config, quick_retries(), hang_guard(milliseconds(300))));
    CHECK(collector.spans().empty());
}

TEST_CASE("with nothing listening, the batch is given up within its deadline", "[ch10][ex10.11]")
{
    const auto url =
        "http://127.0.0.1:" + std::to_string(mini_redis::testing::free_port()) + "/v1/traces";
    CHECK_FALSE(export_one(config_for(url), quick_retries(3), hang_guard(milliseconds(10000))));
}

TEST_CASE("cancelling an export that waits to retry ends it at once", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    // An hour's Retry-After, well within a deadline of three: the exporter waits, and only the
    // cancellation can end the wait within the test's guard.
    collector.answer({}, status(503, "3600"));
    const auto [ended, accepted] =
        export_then_cancel(collector, config_for(collector.traces_url()), quick_retries(),
                           Clock::now() + std::chrono::hours(3));
    CHECK(ended);
    CHECK_FALSE(accepted);
    CHECK(collector.requests().size() == 1);
}

TEST_CASE("cancelling an export whose request hangs ends it at once", "[ch10][ex10.11]")
{
    OtlpCollector collector;
    collector.answer({}, hang());
    auto config = config_for(collector.traces_url());
    config.request_timeout = std::chrono::hours(1);
    const auto [ended, accepted] = export_then_cancel(collector, config, quick_retries(),
                                                      Clock::now() + std::chrono::hours(3));
    CHECK(ended);
    CHECK_FALSE(accepted);
    CHECK(collector.requests().size() == 1);
}

TEST_CASE("only 429, 502, 503 and 504 are retryable statuses", "[ch10]")
{
    for (const unsigned status : {429u, 502u, 503u, 504u}) {
        CHECK(retryable_status(status));
    }
    for (const unsigned status : {200u, 400u, 401u, 403u, 404u, 413u, 500u, 501u}) {
        CHECK_FALSE(retryable_status(status));
    }
}

TEST_CASE("the back-off grows by the multiplier up to its cap, with jitter between half and all",
          "[ch10][ex10.10]")
{
    const RetryPolicy policy{10, milliseconds(1000), milliseconds(5000), 1.5};
    // Attempt 2 waits about 1000 ms, 3 about 1500, 4 about 2250, 5 about 3375, then the cap.
    const std::vector<std::pair<int, long>> expected{{2, 1000}, {3, 1500}, {4, 2250},
                                                     {5, 3375}, {6, 5000}, {30, 5000}};
    for (const auto& [attempt, full] : expected) {
        for (int draw = 0; draw < 200; ++draw) {
            const auto wait = backoff(policy, attempt, std::nullopt).count();
            INFO("attempt " << attempt << " waited " << wait << " ms");
            REQUIRE(wait >= full / 2);
            REQUIRE(wait <= full);
        }
    }
    // Not the same every time (the jitter): 200 draws between 2500 and 5000 ms all equal would
    // mean there is none.
    std::set<long> seen;
    for (int draw = 0; draw < 200; ++draw) {
        seen.insert(backoff(policy, 9, std::nullopt).count());
    }
    CHECK(seen.size() > 1);
    // A server's Retry-After wins, whatever the attempt.
    CHECK(backoff(policy, 2, milliseconds(0)) == milliseconds(0));
    CHECK(backoff(policy, 7, milliseconds(120000)) == milliseconds(120000));
}
