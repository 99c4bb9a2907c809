// The server's command-line entry point: parse flags, listen, run until Ctrl-C.
//
// Everything interesting happens in server.cpp; this file wires it to a process. Book: chapter 01,
// "Running it".
#include "server.hpp"

#include "mini_redis/command_line.hpp"
#include "mini_redis/exercise.hpp"
#include "mini_redis/logging.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <csignal>
#include <exception>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv)
{
    using namespace mini_redis;

    // [book: options]
    CommandLine flags("mini-redis chapter 04: a key space shared by a pool of threads");
    unsigned short port = 6379;
    std::string bind = "127.0.0.1";
    std::string log_level;
    unsigned threads = std::max(1U, std::thread::hardware_concurrency());
    flags.add("-p,--port", port, "Port to listen on (0: any free port)");
    flags.add("-b,--bind", bind, "Address to listen on");
    flags.add("--log-level", log_level,
              "trace, debug, info, warn, error or off (default: $SPDLOG_LEVEL, else info)");
    flags.add("--threads", threads, "Threads running the event loop", 1, 1024);
    if (const auto status = flags.parse(argc, argv)) {
        return *status;  // after --help, --version, or a mistake CLI11 has explained
    }
    // [end book: options]

    try {
        init_logging(log_level);

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
        // Tests and scripts read the actual port from this line (useful with --port 0).
        spdlog::info("listening on {}:{}", bind, acceptor.local_endpoint().port());

        // [book: signals]
        // Writing to a pipe whose reader has gone raises SIGPIPE, and its default action ends
        // the process: `server | head -1` would die at its second log line. Ignored, the write
        // just fails. (Asio's socket writes never raise it: they report broken_pipe instead.)
        std::signal(SIGPIPE, SIG_IGN);
        // Ctrl-C (SIGINT) or SIGTERM stops the event loop: every thread's run() returns. Chapter
        // 08 turns this into a graceful shutdown that lets connections finish first.
        asio::signal_set signals(context, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code, int signal) {
            spdlog::info("signal {} received, stopping", signal);
            context.stop();
        });
        // [end book: signals]

        // [book: run]
        int status = 0;
        asio::co_spawn(context, serve(std::move(acceptor)), [&](std::exception_ptr error) {
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    spdlog::error("the server stopped: {}", e.what());
                }
                status = 1;
                context.stop();
            }
        });

        // EXERCISE 04.4: Run the event loop on a pool of threads
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
        // END EXERCISE 04.4
        return status;
        // [end book: run]
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
