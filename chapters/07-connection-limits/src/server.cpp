// The server's coroutines: the accept loop, which starts a session per client, and the start of
// the purge task. Since chapter 04 they may run on several threads at once. Book: chapters 03 to
// 07.
#include "server.hpp"

#include "purge_task.hpp"
#include "session.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/multiple_exceptions.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

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

// [book: sleep-for]
/// The default ServerOptions::sleep: a real wait on a steady_timer.
asio::awaitable<void> sleep_for(std::chrono::milliseconds duration)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(use_tuple);
}
// [end book: sleep-for]

// [book: refuse]
/// Tells a client over the connection limit so, and closes its connection.
[[maybe_unused]] asio::awaitable<void> refuse(tcp::socket socket)
{
    static constexpr std::string_view reply = "-ERR max number of clients reached\r\n";
    co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
}
// [end book: refuse]

/// What a session needs to know of the server's options.
[[maybe_unused]] SessionLimits session_limits(const ServerOptions& options)
{
    return {options.message_limit, options.query_buffer_limit, options.max_bulk_length,
            options.idle_timeout,  options.drain_timeout,      options.tcp_keepalive};
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

asio::awaitable<void> serve(tcp::acceptor acceptor, Db db, ServerOptions options)
{
    spdlog::debug("accepting connections on {}", acceptor.local_endpoint().port());
    // How many sessions are live. This loop adds one per session it starts; each session's
    // ClientSlot takes its one away when the session ends, on whichever thread that is.
    auto live = std::make_shared<std::atomic<std::size_t>>(0);
    auto backoff = options.accept_backoff_start;
    if (!options.sleep) {
        options.sleep = sleep_for;
    }
    // Every session gets a copy of the handle `db`, so the data lives until the last of them
    // ends, whichever that is.
    for (;;) {
        // Tests may make this accept fail as the operating system would (accept_fault).
        boost::system::error_code error =
            options.accept_fault ? options.accept_fault() : boost::system::error_code{};
        tcp::socket socket(acceptor.get_executor());
        if (!error) {
            // Suspends until a client connects. Meanwhile the io_context's threads run the
            // sessions.
            std::tie(error, socket) = co_await acceptor.async_accept(use_tuple);
        }
        if (error == asio::error::operation_aborted) {
            co_return;  // the acceptor was closed: the server is stopping
        }
        // [book: accept-failed]
        if (error) {
            // EXERCISE 07.2: Back off after a failed accept
            //
            // The accept failed (too many open files, say). Log it with the wait to come, wait
            // `backoff` (co_await options.sleep(backoff)), double `backoff` for next time but
            // never past options.accept_backoff_cap, and try again (continue). The code after
            // the region resets `backoff` after a success.
            //
            // Check: ./workbook test 7   Stuck? ./workbook hint 07.2
            mini_redis::unused(backoff);
            co_await mini_redis::co_todo("07.2", "book/07-connection-limits.md#exercise-072-backing-off");
            // END EXERCISE 07.2
        }
        backoff = options.accept_backoff_start;  // a success ends the bad spell
        // [end book: accept-failed]

        // [book: limit]
        // EXERCISE 07.1: Admit a client, or refuse it over the limit
        //
        // Admit the client or refuse it. When `*live` clients are connected already and that is
        // options.max_connections or more, do not start a session: spawn
        // refuse(std::move(socket)) in a coroutine of its own (it replies "-ERR max number of
        // clients reached" and closes), and go back to accepting. Otherwise count the client in
        // (`*live` goes up by one) and spawn session(std::move(socket), db, ClientSlot(live),
        // session_limits(options)) on a new strand of the acceptor's executor, logging its
        // failure as "connection". The ClientSlot counts it out when the session ends, however
        // it ends.
        //
        // Check: ./workbook test 7   Stuck? ./workbook hint 07.1
        mini_redis::unused(db, live);
        mini_redis::todo("07.1", "book/07-connection-limits.md#exercise-071-the-connection-limit");
        // END EXERCISE 07.1
        // [end book: limit]
    }
}

}  // namespace mini_redis
