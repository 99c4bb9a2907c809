// An in-process server for tests: listens on 127.0.0.1 on a port the kernel picks, runs the
// chapter's server code on background threads, and stops cleanly when the test ends.
//
// The harness knows no chapter's types. A test hands it a callable that serves connections on an
// acceptor the harness opened, usually the chapter's own entry point:
//
//     TestServer server([](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor));
//     }); TestClient client(server.port());
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mini_redis::testing {

class TestServer {
public:
    /// The server under test: runs until its io_context stops. It owns the acceptor. The
    /// TestServer keeps this callable alive until it stops, so it may be a lambda coroutine with
    /// captures: such a coroutine reads its captures from the lambda object for as long as it
    /// runs, and a temporary lambda would be gone after the first suspension.
    using Serve = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::acceptor)>;

    struct Options {
        /// Threads running the io_context (chapter 04 on runs the server on a pool).
        int threads = 1;
    };

    /// Opens the acceptor, starts `serve` on it and starts the threads. If `serve` ends with an
    /// exception (an unfinished exercise, say), the exception is logged and the acceptor closes
    /// with it, so clients are refused at once instead of waiting out their deadlines.
    explicit TestServer(Serve serve);
    TestServer(Serve serve, Options options);

    /// Stops the server (see stop()).
    ~TestServer();

    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    /// The port the server listens on, on 127.0.0.1.
    unsigned short port() const noexcept { return port_; }

    /// Waits up to hang_guard(`deadline`) for the serve coroutine to return by itself (after a
    /// shutdown, say); true if it did. False if it is still running at the deadline or when the
    /// code under test has reached an exercise stub, or if it ended with an exception (which is
    /// logged). Call it from the test's thread.
    bool wait_finished(std::chrono::milliseconds deadline);

    /// Stops the io_context, joins its threads and destroys every coroutine still suspended in
    /// it, which closes their sockets. Idempotent. Call it from the test's thread only.
    void stop();

private:
    Serve serve_;
    // Optional so that stop() can destroy it, and with it every suspended coroutine.
    std::optional<boost::asio::io_context> context_;
    std::vector<std::thread> threads_;
    unsigned short port_ = 0;
    std::mutex mutex_;  // guards finished_
    std::condition_variable finished_changed_;
    bool finished_ = false;
    bool failed_ = false;
};

}  // namespace mini_redis::testing
