// The server's coroutines: the accept loop, which starts a session per client, and the start of
// the purge task. Since chapter 04 they may run on several threads at once. Book: chapters 03-06.
#include "server.hpp"

#include "purge_task.hpp"
#include "session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/multiple_exceptions.hpp>

#include <exception>
#include <string>

namespace mini_redis {
namespace {

/// Makes what runs when a background coroutine (a connection, the purge task) ends: co_spawn
/// calls it with the exception that escaped the coroutine, or with nullptr when it returned
/// normally.
///
/// Why not `asio::detached`: detached throws escaping exceptions away without a word, and a
/// task that dies silently is the hardest bug to find. Here it is logged, and only that one
/// task ends; the server carries on.
auto log_failure_of(std::string task)
{
    return [task = std::move(task)](std::exception_ptr error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const asio::multiple_exceptions& e) {
            // `a && b` failed on both sides: the first exception is the cause, the second
            // (often "operation canceled") only its consequence.
            try {
                std::rethrow_exception(e.first_exception());
            } catch (const std::exception& first) {
                spdlog::error("{} ended: {}", task, first.what());
            }
        } catch (const std::exception& e) {
            spdlog::error("{} ended: {}", task, e.what());
        }
    };
}

}  // namespace

asio::awaitable<void> serve(tcp::acceptor acceptor, ServerOptions options)
{
    // The guard lives in this coroutine's frame: when serve ends (or its frame is destroyed
    // with the io_context), the guard shuts the Db down and the purge task finishes.
    DbGuard guard;
    // The purge task runs on a strand of its own; see purge_task.hpp for why.
    asio::co_spawn(asio::make_strand(acceptor.get_executor()), purge_expired_keys(guard.db()),
                   log_failure_of("the purge task"));
    co_await serve(std::move(acceptor), guard.db(), options);
}

// [book: serve]
asio::awaitable<void> serve(tcp::acceptor acceptor, Db db, ServerOptions options)
{
    spdlog::debug("accepting connections on {}", acceptor.local_endpoint().port());
    // Every session gets a copy of the handle `db`, so the data lives until the last of them
    // ends, whichever that is.
    for (;;) {
        // Suspends until a client connects. Meanwhile the io_context's threads run the sessions.
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
        // back to accepting. The session runs on a strand of the same io_context (its reader,
        // writer and wake-ups take turns there) and owns its socket, which we move into it.
        // [tokio] tokio::spawn(async move { process(socket).await }) -> co_spawn(executor, ...)
        asio::co_spawn(asio::make_strand(acceptor.get_executor()),
                       session(std::move(socket), db, options.message_limit),
                       log_failure_of("connection"));
    }
}
// [end book: serve]

}  // namespace mini_redis
