// The echo server's two coroutines: the accept loop and the per-connection echo loop.
//
// Read this file top to bottom with the book's chapter 01 open. Both functions are C++20
// coroutines: each `co_await` suspends the function until an operation finishes, and while it is
// suspended the thread runs other coroutines. No thread per client, no callbacks to chain.
#include "server.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <exception>

namespace mini_redis {
namespace {

// [book: log-session-end]
/// What runs when a connection's coroutine ends. co_spawn calls it with the exception that
/// escaped the coroutine, or with nullptr when it returned normally.
///
/// Why not `asio::detached`: detached throws escaping exceptions away without a word, and a
/// session that dies silently is the hardest bug to find. Here it is logged, and only this one
/// connection ends; the server carries on.
void log_session_end(std::exception_ptr error)
{
    if (!error) {
        return;
    }
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        spdlog::error("connection closed: {}", e.what());
    }
}
// [end book: log-session-end]

}  // namespace

// [book: serve]
asio::awaitable<void> serve(tcp::acceptor acceptor)
{
    spdlog::debug("accepting connections on {}", acceptor.local_endpoint().port());
    // EXERCISE 01.2: Accept clients in a loop, one coroutine each
    for (;;) {
        // Suspends until a client connects. Meanwhile this thread runs every session coroutine.
        auto [error, socket] = co_await acceptor.async_accept(use_tuple);
        if (error == asio::error::operation_aborted) {
            co_return;  // the acceptor was closed: the server is stopping
        }
        if (error) {
            // For instance "too many open files". Chapter 07 adds a back-off here; for now, log
            // it and keep accepting, because one failed accept is no reason to stop serving.
            spdlog::warn("accept failed: {}", error.message());
            continue;
        }
        // Start the session and do *not* wait for it: co_spawn returns at once and the loop goes
        // back to accepting. The session runs on the same executor (the same io_context) and owns
        // its socket, which we move into it.
        // [tokio] tokio::spawn(async move { process(socket).await }) -> co_spawn(executor, ...)
        asio::co_spawn(acceptor.get_executor(), echo_session(std::move(socket)), log_session_end);
    }
    // END EXERCISE 01.2
}
// [end book: serve]

// [book: echo-session]
asio::awaitable<void> echo_session(tcp::socket socket)
{
    // EXERCISE 01.1: Echo bytes back until the client is done
    boost::system::error_code ignored;
    const auto peer = socket.remote_endpoint(ignored);
    spdlog::debug("client {}:{} connected", peer.address().to_string(), peer.port());

    // The buffer lives in the coroutine's frame, so it survives every suspension below.
    std::array<char, 4096> buffer;
    for (;;) {
        // Suspends until *some* bytes arrive: one byte or 4096, whatever the network delivered.
        auto [read_error, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
        if (read_error == asio::error::eof) {
            // The client closed its sending side. It may still be reading, but everything it
            // sent has been echoed, so we are done; returning closes the socket.
            spdlog::debug("client {}:{} closed the connection", peer.address().to_string(),
                          peer.port());
            co_return;
        }
        if (read_error) {
            // A reset (the client crashed or aborted) or another failure: end this session only.
            spdlog::info("client {}:{}: {}", peer.address().to_string(), peer.port(),
                         read_error.message());
            co_return;
        }
        // async_write, unlike async_write_some, finishes only when all n bytes are sent, however
        // many system calls that takes. We do not read again before the echo is out, so a client
        // that never reads eventually stops us reading from it too: back-pressure for free.
        auto [write_error, written] =
            co_await asio::async_write(socket, asio::buffer(buffer.data(), n), use_tuple);
        if (write_error) {
            spdlog::info("client {}:{}: {}", peer.address().to_string(), peer.port(),
                         write_error.message());
            co_return;
        }
    }
    // END EXERCISE 01.1
}
// [end book: echo-session]

}  // namespace mini_redis
