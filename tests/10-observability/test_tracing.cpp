// Chapter 10 through real sockets: the server traced, its spans exported to an in-process
// collector (OtlpCollector). Each command's span, its attributes and status, the connection's
// span with its delivery events and the links to it, the sampler, log lines with span ids, a
// collector that is down or refuses, and the server binary's flags and its flush at shutdown.
#include "server.hpp"
#include "telemetry/log_correlation.hpp"
#include "telemetry/otlp_http.hpp"
#include "telemetry/tracer.hpp"

#include "mini_redis/logging.hpp"
#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/eventually.hpp"
#include "mini_redis/testing/log_capture.hpp"
#include "mini_redis/testing/otlp_collector.hpp"
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tracing_test {

namespace asio = boost::asio;
namespace json = boost::json;
using mini_redis::testing::attribute;
using mini_redis::testing::eventually;
using mini_redis::testing::OtlpAnswer;
using mini_redis::testing::OtlpCollector;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
using namespace mini_redis::telemetry;

/// Settings that send every span as soon as it ends (a batch of one), to the collector, with
/// retries quick enough for a test.
TelemetryConfig config_for(const OtlpCollector& collector)
{
    TelemetryConfig config;
    config.enabled = true;
    config.endpoint = collector.traces_url();
    config.batch.max_queue_size = 64;
    config.batch.max_export_batch_size = 1;
    config.request_timeout = std::chrono::seconds(10);
    return config;
}

RetryPolicy quick_retries()
{
    RetryPolicy retry;
    retry.initial_backoff = std::chrono::milliseconds(10);
    retry.max_backoff = std::chrono::milliseconds(20);
    return retry;
}

/// The chapter's server on two threads with a tracer, exporting from a thread of its own.
struct TracedServer {
    explicit TracedServer(const OtlpCollector& collector, TelemetryConfig config_ = {})
        : config(config_.enabled ? config_ : config_for(collector)), tracer(config)
    {
        tracer.start_export(export_context.get_executor(),
                            std::make_unique<OtlpHttpExporter>(export_context.get_executor(),
                                                               config, quick_retries()));
        export_thread = std::thread([this] { export_context.run(); });
        server.emplace(
            [this](mini_redis::tcp::acceptor acceptor) {
                mini_redis::ServerOptions options;
                options.tracer = &tracer;
                return mini_redis::serve(std::move(acceptor), options);
            },
            TestServer::Options{.threads = 2});
    }
    ~TracedServer()
    {
        server.reset();  // every session has ended: no span is started after this
        work.reset();
        export_context.stop();
        export_thread.join();
    }
    unsigned short port() const { return server->port(); }

    // Before the tracer, which holds a strand of it, so that it is destroyed after the tracer.
    asio::io_context export_context;
    TelemetryConfig config;
    Tracer tracer;
    asio::executor_work_guard<asio::io_context::executor_type> work =
        asio::make_work_guard(export_context);
    std::thread export_thread;
    std::optional<TestServer> server;
};

/// The spans named `name`, in the order they arrived.
std::vector<json::object> named(const std::vector<json::object>& spans, const std::string& name)
{
    std::vector<json::object> found;
    for (const auto& span : spans) {
        if (span.at("name").as_string() == name) {
            found.push_back(span);
        }
    }
    return found;
}

std::uint64_t nanos(const json::object& span, const char* field)
{
    return std::stoull(std::string(span.at(field).as_string()));
}

/// A span's status code: 0 (unset, which OTLP/JSON may also leave out), 1 (ok) or 2 (error).
std::int64_t status_code(const json::object& span)
{
    const auto* status = span.if_contains("status");
    const auto* code = status ? status->as_object().if_contains("code") : nullptr;
    return code ? code->as_int64() : 0;
}

std::string text(const json::object& object, const char* field)
{
    return std::string(object.at(field).as_string());
}

TEST_CASE(
    "each command arrives at the collector as a server span named after it, with the database "
    "attributes",
    "[ch10][ex10.3][ex10.5]")
{
    OtlpCollector collector;
    TracedServer server(collector);
    TestClient client(server.port());
    client.send(
        "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nget\r\n$"
        "1\r\nk\r\n");
    CHECK(client.read_reply() == "+PONG\r\n");
    CHECK(client.read_reply() == "+OK\r\n");
    CHECK(client.read_reply() == "$1\r\nv\r\n");
    const auto spans = collector.wait_for_spans(3);

    REQUIRE(spans.size() == 3);
    CHECK(text(spans[0], "name") == "PING");
    CHECK(text(spans[1], "name") == "SET");
    CHECK(text(spans[2], "name") == "GET");  // in upper case, however the client wrote it
    for (const auto& span : spans) {
        CHECK(span.at("kind").as_int64() == 2);  // SERVER
        CHECK(attribute(span, "db.system.name") == "redis");
        CHECK(attribute(span, "db.operation.name") == text(span, "name"));
        CHECK(attribute(span, "network.peer.address") == "127.0.0.1");
        CHECK(attribute(span, "network.peer.port") == std::to_string(client.local_port()));
        CHECK(attribute(span, "server.port") == std::to_string(server.port()));
        CHECK(nanos(span, "startTimeUnixNano") <= nanos(span, "endTimeUnixNano"));
        CHECK_FALSE(span.contains("parentSpanId"));  // a root: each command is a trace of its own
        CHECK(status_code(span) == 0);               // unset: it went well
    }
    // One after the other, as the client sent them.
    CHECK(nanos(spans[0], "endTimeUnixNano") <= nanos(spans[1], "startTimeUnixNano"));
    CHECK(nanos(spans[1], "endTimeUnixNano") <= nanos(spans[2], "startTimeUnixNano"));
    CHECK(text(spans[0], "traceId") != text(spans[1], "traceId"));
}

TEST_CASE("an error reply marks its command's span as failed, with the error's code",
          "[ch10][ex10.4][ex10.5]")
{
    OtlpCollector collector;
    TracedServer server(collector);
    TestClient client(server.port());
    client.send("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
    const auto reply = client.read_reply();
    CHECK(reply.rfind("-ERR unknown command 'HELLO'", 0) == 0);
    client.send(
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$"
        "2\r\nEX\r\n");
    CHECK(client.read_reply() == "+OK\r\n");
    CHECK(client.read_reply() == "-ERR syntax error\r\n");
    const auto spans = collector.wait_for_spans(3);

    // An unknown command's span is named after the database, not after what the client wrote:
    // any client could otherwise invent a new span name with every request.
    CHECK(text(spans[0], "name") == "redis");
    CHECK(attribute(spans[0], "db.operation.name").empty());
    const auto& status = spans[0].at("status").as_object();
    CHECK(status_code(spans[0]) == 2);  // ERROR
    CHECK(std::string(status.at("message").as_string()) == reply.substr(1, reply.size() - 3));
    CHECK(attribute(spans[0], "error.type") == "ERR");
    CHECK(attribute(spans[0], "db.response.status_code") == "ERR");

    CHECK(status_code(spans[1]) == 0);
    CHECK(attribute(spans[1], "error.type").empty());
    CHECK(text(spans[2], "name") == "SET");
    CHECK(status_code(spans[2]) == 2);
    CHECK(attribute(spans[2], "error.type") == "ERR");
}

TEST_CASE("a command's span links to its connection's span, which arrives when the client leaves",
          "[ch10][ex10.16][ex10.3]")
{
    OtlpCollector collector;
    TracedServer server(collector);
    {
        TestClient client(server.port());
        client.send("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
        CHECK(client.read_reply() == "+PONG\r\n");
        CHECK(client.read_reply() == "+PONG\r\n");
        collector.wait_for_spans(2);
        CHECK(named(collector.spans(), "connection").empty());  // still connected
    }
    const auto spans = collector.wait_for_spans(3);
    const auto connections = named(spans, "connection");
    REQUIRE(connections.size() == 1);
    const auto& connection = connections[0];
    CHECK(connection.at("kind").as_int64() == 2);
    CHECK(attribute(connection, "network.peer.address") == "127.0.0.1");
    for (const auto& ping : named(spans, "PING")) {
        const auto& links = ping.at("links").as_array();
        REQUIRE(links.size() == 1);
        CHECK(links[0].at("traceId") == connection.at("traceId"));
        CHECK(links[0].at("spanId") == connection.at("spanId"));
        CHECK(nanos(connection, "startTimeUnixNano") <= nanos(ping, "startTimeUnixNano"));
        CHECK(nanos(ping, "endTimeUnixNano") <= nanos(connection, "endTimeUnixNano"));
    }
}

TEST_CASE("each message a subscriber is sent is an event on its connection's span, not a span",
          "[ch10][ex10.16]")
{
    OtlpCollector collector;
    TracedServer server(collector);
    {
        TestClient subscriber(server.port());
        subscriber.send("*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n");
        CHECK(subscriber.read_reply() == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        TestClient publisher(server.port());
        for (int i = 0; i < 3; ++i) {
            publisher.send("*3\r\n$7\r\nPUBLISH\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
            CHECK(publisher.read_reply() == ":1\r\n");
            CHECK(subscriber.read_reply() == "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
        }
    }
    // SUBSCRIBE, three PUBLISH, and both connections.
    const auto spans = collector.wait_for_spans(6);
    CHECK(named(spans, "PUBLISH").size() == 3);
    const auto connections = named(spans, "connection");
    REQUIRE(connections.size() == 2);
    std::size_t with_events = 0;
    for (const auto& connection : connections) {
        if (const auto* events = connection.if_contains("events");
            events && !events->as_array().empty()) {
            ++with_events;
            REQUIRE(events->as_array().size() == 3);
            for (const auto& event : events->as_array()) {
                CHECK(event.at("name").as_string() == "message delivered");
                CHECK(attribute(event.as_object(), "messaging.message.envelope.size") == "35");
            }
        }
    }
    CHECK(with_events == 1);  // the subscriber's
}

TEST_CASE("with always_off, nothing is recorded or sent", "[ch10][ex10.2]")
{
    OtlpCollector collector;
    auto config = config_for(collector);
    config.sampler.kind = Sampler::Kind::always_off;
    TracedServer server(collector, config);
    {
        TestClient client(server.port());
        client.send("*1\r\n$4\r\nPING\r\n");
        CHECK(client.read_reply() == "+PONG\r\n");
    }
    // Whatever was recorded has been exported once the tracer has shut down.
    mini_redis::testing::block_on([](Tracer& tracer) -> asio::awaitable<int> {
        co_await tracer.shutdown(std::chrono::seconds(10));
        co_return 0;
    }(server.tracer));
    CHECK(collector.requests().empty());
    CHECK(server.tracer.dropped() == 0);
}

TEST_CASE(
    "with the collector hanging, every request is still answered, and spans beyond the queue are "
    "dropped and counted",
    "[ch10][ex10.7][ex10.5]")
{
    OtlpCollector collector;
    OtlpAnswer hang;
    hang.hang = true;
    collector.answer({}, hang);
    auto config = config_for(collector);
    config.batch.max_queue_size = 8;
    TracedServer server(collector, config);
    TestClient client(server.port());
    std::string pings;
    for (int i = 0; i < 100; ++i) {
        pings += "*1\r\n$4\r\nPING\r\n";
    }
    client.send(pings);
    for (int i = 0; i < 100; ++i) {
        REQUIRE(client.read_reply() == "+PONG\r\n");
    }
    // One span is in the hanging request, eight wait in the queue: the rest were dropped.
    REQUIRE(eventually([&] { return server.tracer.dropped() >= 91; }));
    CHECK(server.tracer.queue().size() <= 8);
    CHECK(server.tracer.dropped() <= 100);
}

TEST_CASE("a collector that answers 503 for a while loses no span: they arrive once it recovers",
          "[ch10][ex10.11][ex10.5]")
{
    OtlpCollector collector;
    OtlpAnswer unavailable;
    unavailable.status = 503;
    collector.answer({unavailable, unavailable, unavailable});
    TracedServer server(collector);
    TestClient client(server.port());
    client.send("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
    CHECK(client.read_reply() == "+PONG\r\n");
    CHECK(client.read_reply() == "+PONG\r\n");
    CHECK(collector.wait_for_spans(2).size() == 2);
    CHECK(collector.requests().size() >= 5);  // three refused, two accepted
    CHECK(server.tracer.dropped() == 0);
}

TEST_CASE("log lines written while a command's span is active carry its trace and span ids",
          "[ch10][ex10.6][ex10.5]")
{
    OtlpCollector collector;
    TracedServer server(collector);
    correlate_logs();
    spdlog::set_level(spdlog::level::debug);
    struct Restore {
        ~Restore()
        {
            spdlog::set_level(spdlog::level::info);
            spdlog::set_pattern(mini_redis::log_pattern);
        }
    } restore;
    TestClient client(server.port());
    client.send("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
    CHECK(client.read_reply() == "$-1\r\n");
    const auto spans = collector.wait_for_spans(1);
    const auto log = mini_redis::testing::recent_log();
    INFO(log);
    CHECK(log.find(": GET trace_id=" + text(spans[0], "traceId") +
                   " span_id=" + text(spans[0], "spanId")) != std::string::npos);
    // Outside a span, no ids.
    spdlog::info("no span here");
    CHECK(mini_redis::testing::recent_log().find("no span here\n") != std::string::npos);
}

TEST_CASE(
    "mini-redis-server --otel-endpoint traces to the collector, and a shutdown sends what is "
    "queued",
    "[ch10][ex10.12][ex10.15]")
{
    OtlpCollector collector;
    // An hour between batches by time: only the shutdown can send the last span in time.
    ::setenv("OTEL_BSP_SCHEDULE_DELAY", "3600000", 1);
    mini_redis::testing::ServerProcess server(
        MINI_REDIS_SERVER_BINARY, {"--port", "0", "--otel-endpoint", collector.traces_url()});
    ::unsetenv("OTEL_BSP_SCHEDULE_DELAY");
    server.wait_for_output("tracing to " + collector.traces_url(), std::chrono::seconds(10));
    {
        TestClient client(server.port());
        client.send("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
        CHECK(client.read_reply() == "$2\r\nhi\r\n");
    }
    CHECK(collector.requests().empty());
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
    const auto spans = collector.wait_for_spans(2);
    CHECK(named(spans, "ECHO").size() == 1);
    CHECK(named(spans, "connection").size() == 1);
    const auto requests = collector.requests();
    CHECK(attribute(requests.front().json.at("resourceSpans").at(0).at("resource").as_object(),
                    "service.name") == "mini-redis-server");
}

TEST_CASE(
    "mini-redis-server refuses a telemetry setting it cannot use, at start, with a clear message",
    "[ch10][ex10.13]")
{
    mini_redis::testing::ServerProcess server(
        MINI_REDIS_SERVER_BINARY, {"--port", "0", "--otel-endpoint", "https://collector:4318"},
        std::chrono::seconds(10), "https");
    CHECK(server.wait() == 1);
    CHECK(server.output().find("https") != std::string::npos);
}

}  // namespace tracing_test
