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
[[maybe_unused]] void log_session_end(std::exception_ptr error)
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
    //
    // Accept clients forever with acceptor.async_accept. For each one, start
    // echo_session(std::move(socket)) in a coroutine of its own with asio::co_spawn, passing
    // log_session_end as the completion handler, and go straight back to accepting. Stop when
    // the accept fails with asio::error::operation_aborted (the acceptor was closed); log any
    // other accept error with its message (error.message()) and keep accepting.
    //
    // Check: ./workbook test 1   Stuck? ./workbook hint 01.2
    co_await mini_redis::co_todo("01.2", "book/01-echo-server.md#exercise-012-the-accept-loop");
    // END EXERCISE 01.2
}
// [end book: serve]

// [book: echo-session]
asio::awaitable<void> echo_session(tcp::socket socket)
{
    // EXERCISE 01.1: Echo bytes back until the client is done
    //
    // Log at debug who connected (socket.remote_endpoint()). Then read from `socket` into a
    // buffer and write exactly the bytes you read back, all of them, over and over, until the
    // client closes its side (the read reports asio::error::eof). Any other error ends the
    // session too. Log, don't throw: a client hanging up is normal.
    //
    // Check: ./workbook test 1   Stuck? ./workbook hint 01.1
    mini_redis::unused(socket);
    co_await mini_redis::co_todo("01.1", "book/01-echo-server.md#exercise-011-the-echo-loop");
    // END EXERCISE 01.1
}
// [end book: echo-session]

}  // namespace mini_redis
