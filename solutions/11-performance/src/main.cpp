// The server's command-line entry point: parse flags, listen, run until Ctrl-C.
//
// Everything interesting happens in server.cpp; this file wires it to a process. Book: chapter 01,
// "Running it"; chapter 10, "Turning it on" (the telemetry flags and the tracer's lifetime).
#include "open_files.hpp"
#include "server.hpp"
#include "shutdown.hpp"
#include "telemetry/config.hpp"
#include "telemetry/log_correlation.hpp"
#include "telemetry/otlp_http.hpp"
#include "telemetry/tracer.hpp"

#include "mini_redis/command_line.hpp"
#include "mini_redis/logging.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

/// How long a shutdown waits for the last spans to reach the collector.
constexpr std::chrono::seconds flush_grace{5};

/// Sends what the tracer still holds, if there is a tracer.
mini_redis::asio::awaitable<void> flush_spans(mini_redis::telemetry::Tracer* tracer)
{
    if (tracer != nullptr) {
        co_await tracer->shutdown(flush_grace);
    }
}

/// The span exporter's own event loop, run by a thread of its own at the lowest CPU priority.
///
/// Why not the server's threads: encoding a batch of 512 spans takes about half a millisecond, and
/// the sessions queued behind it on that thread would wait for it. Why the lowest priority
/// (nice 19; on Linux each thread has its own): when requests and the exporter both want a
/// core, the kernel runs the requests, and the exporter sends what it can with what is left.
/// Under more load than that, spans are dropped and counted (SpanQueue), which is the point:
/// telemetry must not slow down the server it describes.
///
/// Declared before the tracer, whose strand must not outlive this io_context. The loop runs
/// until the destructor stops it, even with nothing to do: a shutdown posts its wait for the
/// export here, and must find the loop running even if the export has ended long before. The
/// destructor then stops it, whatever is still running on it, and joins the thread.
struct ExportThread {
    mini_redis::asio::io_context context;
    mini_redis::asio::executor_work_guard<mini_redis::asio::io_context::executor_type> work =
        mini_redis::asio::make_work_guard(context);
    std::thread thread;

    void start()
    {
        thread = std::thread([this] {
            setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);  // best effort
            context.run();
        });
    }

    ~ExportThread()
    {
        if (thread.joinable()) {
            context.stop();
            thread.join();
        }
    }
};

}  // namespace

int main(int argc, char** argv)
{
    using namespace mini_redis;

    CommandLine flags("mini-redis chapter 10: the server, traced with OpenTelemetry");
    unsigned short port = 6379;
    std::string bind = "127.0.0.1";
    std::string log_level;
    unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    flags.add("-p,--port", port, "Port to listen on (0: any free port)");
    flags.add("-b,--bind", bind, "Address to listen on");
    flags.add("--log-level", log_level,
              "trace, debug, info, warn, error or off (default: $SPDLOG_LEVEL, else info)");
    ServerOptions options;
    flags.add("--max-connections", options.max_connections,
              "Clients connected at once; more are refused", 1, 1'000'000);
    flags.add("--threads", threads, "Threads running the event loop", 1, 1024);
    unsigned timeout = 0;
    flags.add("--timeout", timeout,
              "Close a client that sends nothing for this many seconds (0: never)", 0,
              2'000'000'000);
    flags.add("--tcp-keepalive", options.tcp_keepalive,
              "Seconds of silence before TCP keepalive probes start (0: none)", 0, 32767);
    telemetry::TelemetryFlags otel;
    flags.add("--otel", otel.otel,
              "Trace every command and export the spans with OTLP/HTTP (also turned on by "
              "OTEL_EXPORTER_OTLP_ENDPOINT; see the OTEL_* variables in the book)");
    std::string otel_endpoint;
    flags.add("--otel-endpoint", otel_endpoint,
              "Where to send spans (default: http://localhost:4318/v1/traces); turns tracing on");
    flags.add("--otel-xray-ids", otel.xray_ids,
              "Trace ids AWS X-Ray accepts (the first 4 bytes are the start time)");
    if (const auto status = flags.parse(argc, argv)) {
        return *status;  // after --help, --version, or a mistake CLI11 has explained
    }
    options.idle_timeout = std::chrono::seconds(timeout);
    if (!otel_endpoint.empty()) {
        otel.endpoint = otel_endpoint;
    }

    try {
        init_logging(log_level);
        options.max_connections = fit_open_file_limit(options.max_connections);
        // Read even when tracing is off: a mistake in an OTEL_* variable is reported now, not
        // on the day someone turns tracing on.
        const auto trace_config =
            telemetry::telemetry_config(otel, telemetry::process_environment());

        // The io_context is Asio's event loop: it waits for the operating system to report that
        // an operation finished and resumes whichever coroutine waited for it.
        asio::io_context context;

        tcp::acceptor acceptor(context);
        const tcp::endpoint endpoint(asio::ip::make_address(bind), port);
        acceptor.open(endpoint.protocol());
        // Lets a restarted server bind its port while old connections are still in TIME_WAIT.
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();

        // The tracer lives until run() has returned: sessions on every thread hold a pointer to
        // it. Its export coroutine runs on the export thread's io_context.
        ExportThread exporting;
        std::unique_ptr<telemetry::Tracer> tracer;
        if (trace_config.enabled) {
            telemetry::correlate_logs();
            tracer = std::make_unique<telemetry::Tracer>(trace_config);
            tracer->start_export(exporting.context.get_executor(),
                                 std::make_unique<telemetry::OtlpHttpExporter>(
                                     exporting.context.get_executor(), trace_config));
            exporting.start();
            options.tracer = tracer.get();
            spdlog::info("tracing to {} (sampler {})", trace_config.endpoint,
                         trace_config.sampler.name());
        }

        // Writing to a pipe whose reader has gone raises SIGPIPE, and its default action ends
        // the process: `server | head -1` would die at its second log line. Ignored, the write
        // just fails. (Asio's socket writes never raise it: they report broken_pipe instead.)
        std::signal(SIGPIPE, SIG_IGN);
        // The first Ctrl-C (SIGINT) or SIGTERM asks for a graceful shutdown: no new clients, and
        // every connection sends what it owes and closes. A second one, for the impatient,
        // exits at once with 130 (128 + SIGINT, as a shell reports an interrupted program).
        Shutdown shutdown;
        // On a strand: the signal handler below and the end of serve() (on any thread) both
        // touch `signals`, and a signal_set is not thread-safe.
        asio::signal_set signals(asio::make_strand(context), SIGINT, SIGTERM);
        // The handler re-arms itself, so it must outlive every wait: it lives here, in main().
        std::function<void(boost::system::error_code, int)> on_signal;
        on_signal = [&](boost::system::error_code error, int signal) {
            if (error) {
                return;  // cancelled: the server has finished
            }
            if (!shutdown.requested()) {
                spdlog::info("signal {} received: shutting down (again to exit at once)", signal);
                // Listen for the second signal first: the shutdown may finish (and
                // cancel this wait) before request() even returns.
                signals.async_wait(on_signal);
                shutdown.request();
            } else {
                spdlog::warn("signal {} received again: exiting now", signal);
                std::_Exit(130);
            }
        };
        signals.async_wait(on_signal);
        // Only now, with the signal handler in place, say we are listening: a script that sends
        // SIGTERM as soon as it reads this line must get a graceful shutdown, not the default
        // action (death). Tests and scripts read the actual port from it (with --port 0).
        spdlog::info("listening on {}:{}", bind, acceptor.local_endpoint().port());

        int status = 0;
        asio::co_spawn(
            context, serve(std::move(acceptor), options, shutdown), [&](std::exception_ptr error) {
                if (error) {
                    try {
                        std::rethrow_exception(error);
                    } catch (const std::exception& e) {
                        spdlog::error("the server stopped: {}", e.what());
                    }
                    status = 1;
                    context.stop();
                    return;
                }
                // Served its last client: send the spans still queued (for
                // flush_grace at most), stop listening for signals, and run()
                // returns once nothing is left to do.
                asio::co_spawn(context, flush_spans(tracer.get()), [&](std::exception_ptr) {
                    spdlog::info("shutdown complete");
                    asio::post(signals.get_executor(), [&signals] { signals.cancel(); });
                });
            });

        // Every thread that calls run() serves the same io_context: whichever thread is free
        // resumes the next coroutine whose operation finished. A session may even continue on
        // a different thread after each co_await, which is why shared data needs Db's lock.
        std::vector<std::thread> pool;
        for (unsigned i = 1; i < threads; ++i) {
            pool.emplace_back([&context] { context.run(); });
        }
        spdlog::info("serving on {} threads", threads);
        context.run();  // this thread is the pool's last member
        for (auto& thread : pool) {
            thread.join();
        }
        return status;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
