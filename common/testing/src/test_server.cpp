// The in-process test server: see test_server.hpp.
#include "mini_redis/testing/test_server.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/log_capture.hpp"
#include "mini_redis/testing/stub_watch.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/multiple_exceptions.hpp>

#include <exception>

namespace mini_redis::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

TestServer::TestServer(Serve serve) : TestServer(std::move(serve), Options{}) {}

TestServer::TestServer(Serve serve, Options options) : serve_(std::move(serve))
{
    install_log_capture();
    clear_log();
    context_.emplace();
    tcp::acceptor acceptor(*context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor.local_endpoint().port();
    asio::co_spawn(*context_, serve_(std::move(acceptor)), [this](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const asio::multiple_exceptions& e) {
                // `a && b` failed on both sides: the first exception is the cause.
                try {
                    std::rethrow_exception(e.first_exception());
                } catch (const std::exception& first) {
                    spdlog::error("the server stopped: {}", first.what());
                }
            } catch (const std::exception& e) {
                spdlog::error("the server stopped: {}", e.what());
            }
        }
        std::lock_guard lock(mutex_);
        finished_ = true;
        failed_ = error != nullptr;
        finished_changed_.notify_all();
    });
    for (int i = 0; i < options.threads; ++i) {
        threads_.emplace_back([this] {
            // An exception escaping a handler (an unfinished exercise's stub in a posted
            // function, say) ends run() with it. Log it and run on: it must fail a test, not
            // terminate the test binary.
            for (;;) {
                try {
                    context_->run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("a handler failed: {}", e.what());
                }
            }
        });
    }
}

TestServer::~TestServer()
{
    stop();
}

bool TestServer::wait_finished(std::chrono::milliseconds deadline)
{
    std::unique_lock lock(mutex_);
    return wait_unless_stub(finished_changed_, lock, hang_guard(deadline),
                            [this] { return finished_; }) &&
           !failed_;
}

void TestServer::stop()
{
    if (!context_) {
        return;
    }
    context_->stop();
    for (auto& thread : threads_) {
        thread.join();
    }
    threads_.clear();
    // Destroying the io_context destroys the coroutine frames still suspended in it, and with
    // them the sockets they own: a client blocked on a read sees the connection end.
    context_.reset();
}

}  // namespace mini_redis::testing
