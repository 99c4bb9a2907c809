// The echo server's command-line entry point: parse flags, listen, run until Ctrl-C.
//
// Everything interesting happens in server.cpp; this file wires it to a process. Book: chapter 01,
// "Running it".
#include "server.hpp"

#include "mini_redis/command_line.hpp"
#include "mini_redis/exercise.hpp"
#include "mini_redis/logging.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <exception>
#include <string>

int main(int argc, char** argv)
{
    using namespace mini_redis;

    CommandLine flags("mini-redis chapter 01: a TCP echo server");
    unsigned short port = 6379;
    std::string bind = "127.0.0.1";
    std::string log_level;
    flags.add("-p,--port", port, "Port to listen on (0: any free port)");
    flags.add("-b,--bind", bind, "Address to listen on");
    flags.add("--log-level", log_level,
              "trace, debug, info, warn, error or off (default: $SPDLOG_LEVEL, else info)");
    if (const auto status = flags.parse(argc, argv)) {
        return *status;  // after --help, --version, or a mistake CLI11 has explained
    }

    try {
        init_logging(log_level);

        // [book: listen]
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
        // [end book: listen]

        // [book: signals]
        // Writing to a pipe whose reader has gone raises SIGPIPE, and its default action ends
        // the process: `server | head -1` would die at its second log line. Ignored, the write
        // just fails. (Asio's socket writes never raise it: they report broken_pipe instead.)
        std::signal(SIGPIPE, SIG_IGN);
        // Ctrl-C (SIGINT) or SIGTERM stops the event loop. Chapter 08 turns this into a graceful
        // shutdown that lets connections finish first.
        asio::signal_set signals(context, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code, int signal) {
            spdlog::info("signal {} received, stopping", signal);
            context.stop();
        });
        // [end book: signals]

        // [book: run]
        // EXERCISE 01.3: Start the accept loop and run the event loop
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

        context.run();  // runs every coroutine on this one thread until stop()
        return status;
        // END EXERCISE 01.3
        // [end book: run]
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
