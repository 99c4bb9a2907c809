// The server's coroutines: the accept loop, which starts a session per client, the start of the
// purge task, and the graceful shutdown. Since chapter 04 they may run on several threads at
// once; since chapter 11 a client's session starts with its first bytes. Book: chapters 03 to
// 08, and chapter 11, "A session only once there is something to say".
#include "server.hpp"

#include "live_sessions.hpp"
#include "purge_task.hpp"
#include "session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/multiple_exceptions.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
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

/// The default ServerOptions::sleep: a real wait on a steady_timer.
asio::awaitable<void> sleep_for(std::chrono::milliseconds duration)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(use_tuple);
}

/// Tells a client over the connection limit so, and closes its connection.
asio::awaitable<void> refuse(tcp::socket socket)
{
    static constexpr std::string_view reply = "-ERR max number of clients reached\r\n";
    co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
}

/// What a session needs to know of the server's options.
SessionLimits session_limits(const ServerOptions& options)
{
    return {options.message_limit, options.query_buffer_limit, options.max_bulk_length,
            options.idle_timeout, options.drain_timeout};
}

/// A client that has sent nothing yet, and all the server holds for it: a wait for its first
/// bytes and a shutdown listener. No session yet: its coroutines, outbox, timers and read buffer
/// would cost about 12 KB (chapter 11, "A session only once there is something to say").
struct Parked {
    tcp::socket socket;
    Db db;
    ClientSlot slot;
    SessionLimits limits;
    Shutdown shutdown;
    telemetry::Tracer* tracer;
    std::optional<Shutdown::Registration> listening;  // while the wait lasts
};

/// A client's strand, on the io_context's own executor rather than on an any_io_executor:
/// 24 bytes, which fit inside the any_io_executor that Asio copies for every wait. A strand
/// of an any_io_executor does not, so each copy allocated (chapter 11, "Copies that allocate").
using ClientStrand = asio::strand<asio::io_context::executor_type>;

/// The io_context executor that `executor` holds: sessions get their strands on it. The server
/// runs on an io_context (main.cpp, every test); for any other executor this throws
/// std::invalid_argument, before the first client is accepted.
asio::io_context::executor_type io_context_executor(const asio::any_io_executor& executor)
{
    const auto* context = executor.target<asio::io_context::executor_type>();
    if (context == nullptr) {
        throw std::invalid_argument("the server runs on an io_context's executor");
    }
    return *context;
}

/// Starts `parked`'s session on `strand`, where it runs from then on.
void start_session(const ClientStrand& strand, Parked& parked)
{
    asio::co_spawn(strand,
                   session(std::move(parked.socket), std::move(parked.db), std::move(parked.slot),
                           parked.limits, std::move(parked.shutdown), parked.tracer),
                   log_failure_of("connection"));
}

/// Runs on the client's strand: waits, with no coroutine, until the client sends its first
/// bytes, then starts its session. A shutdown ends the wait, and the client is closed with
/// nothing to answer.
void park(const ClientStrand& strand, std::shared_ptr<Parked> parked)
{
    // The listener may be called on any thread: it posts to the strand, where the wait's
    // handler runs too, so the two never touch the socket at once. It holds a weak_ptr: a
    // listener does not keep a client alive, and by the time its post runs, the client may have
    // started its session (the socket is moved out) or gone.
    parked->listening.emplace(
        parked->shutdown.listen([strand, weak = std::weak_ptr<Parked>(parked)](Shutdown::Stage) {
            asio::post(strand, [weak] {
                if (const auto client = weak.lock()) {
                    boost::system::error_code ignored;
                    client->socket.cancel(ignored);
                }
            });
        }));
    parked->socket.async_wait(
        tcp::socket::wait_read,
        asio::bind_executor(strand, [strand, parked](boost::system::error_code error) {
            parked->listening.reset();
            if (!error) {
                start_session(strand, *parked);
            }  // else cancelled by a shutdown: the socket closes as the last `parked` goes
        }));
}

/// The accept loop of serve(acceptor, db, options, shutdown), and then, after a shutdown, the
/// wait for the sessions. Runs on a strand of its own.
asio::awaitable<void> accept_and_drain(tcp::acceptor acceptor_in, Db db, ServerOptions options,
                                       Shutdown shutdown)
{
    spdlog::debug("accepting connections on {}", acceptor_in.local_endpoint().port());
    const auto sessions_executor = io_context_executor(acceptor_in.get_executor());
    const auto strand = co_await asio::this_coro::executor;
    // Shared with the shutdown listener, which closes it (on this strand) to stop the loop.
    auto acceptor = std::make_shared<tcp::acceptor>(std::move(acceptor_in));
    // A timer that expires only when the listener says so, at the beginning of time: a back-off
    // wait beside it ends at once on a shutdown, even a wait that starts after the shutdown.
    auto stopped =
        std::make_shared<asio::steady_timer>(strand, asio::steady_timer::time_point::max());
    auto stop_accepting = shutdown.listen([strand, acceptor, stopped](Shutdown::Stage) {
        asio::post(strand, [acceptor, stopped] {
            boost::system::error_code ignored;
            acceptor->close(ignored);
            stopped->expires_at(asio::steady_timer::time_point::min());
        });
    });
    // How many sessions are live. Each session's ClientSlot counts itself in when it is made,
    // here, and out when the session ends, on whichever thread that is.
    auto live = std::make_shared<LiveSessions>(strand);
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
        tcp::socket socket(acceptor->get_executor());
        if (!error) {
            // Suspends until a client connects. Meanwhile the io_context's threads run the
            // sessions.
            std::tie(error, socket) = co_await acceptor->async_accept(use_tuple);
        }
        if (error == asio::error::operation_aborted || !acceptor->is_open()) {
            break;  // the acceptor was closed: the server is stopping
        }
        if (error) {
            // "Too many open files", say: retrying at once would spin on the same error. Wait,
            // and wait longer each time, up to the cap; keep serving the clients we have.
            spdlog::warn("accept failed: {}; trying again in {} ms", error.message(),
                         backoff.count());
            using namespace asio::experimental::awaitable_operators;
            co_await (options.sleep(backoff) || stopped->async_wait(use_tuple));
            backoff = std::min(backoff * 2, options.accept_backoff_cap);
            continue;
        }
        backoff = options.accept_backoff_start;  // a success ends the bad spell

        if (live->count() >= options.max_connections) {
            // Over the limit: say so, as Redis does, then close. A coroutine of its own does the
            // writing, so a client that does not read cannot hold up this loop.
            asio::co_spawn(acceptor->get_executor(), refuse(std::move(socket)),
                           log_failure_of("refusal"));
            continue;
        }
        // Start the session and do *not* wait for it: co_spawn returns at once and the loop goes
        // back to accepting. The session runs on a strand of the same io_context (its reader,
        // writer and wake-ups take turns there) and owns its socket, which we move into it.
        // [tokio] tokio::spawn(async move { process(socket).await }) -> co_spawn(executor, ...)
        // A client that has sent nothing is parked first (chapter 11), unless an idle timeout
        // is set: then its session starts at once, and the session's watchdog times the silence.
        enable_keepalive(socket, options.tcp_keepalive);
        const ClientStrand session_strand = asio::make_strand(sessions_executor);
        auto parked = std::make_shared<Parked>(Parked{std::move(socket), db, ClientSlot(live),
                                                      session_limits(options), shutdown,
                                                      options.tracer, std::nullopt});
        if (options.idle_timeout.count() > 0) {
            start_session(session_strand, *parked);
        } else {
            asio::post(session_strand, [session_strand, parked] { park(session_strand, parked); });
        }
    }
    if (!shutdown.requested()) {
        co_return;  // closed for another reason: nothing to wait for
    }

    spdlog::info("shutting down: waiting for {} connection(s) to finish", live->count());
    // Every session heard the request and is sending its last replies. Wait until all have
    // ended, but not longer than the grace period: a client that never reads would hold us
    // forever. `a || b` returns as soon as one of them is done and cancels the other.
    using namespace asio::experimental::awaitable_operators;
    const auto first = co_await (live->wait_until_none() || options.sleep(options.shutdown_grace));
    if (first.index() == 1) {
        spdlog::warn("{} connection(s) still busy after {} ms; cutting them off", live->count(),
                     options.shutdown_grace.count());
        shutdown.force();
        co_await live->wait_until_none();
    }
    spdlog::info("all connections closed");
}

/// The server part of serve(acceptor, options, shutdown): serves, then shuts the Db down, which
/// ends the purge task.
asio::awaitable<void> serve_then_stop_purging(tcp::acceptor acceptor, Db db, ServerOptions options,
                                              Shutdown shutdown)
{
    co_await serve(std::move(acceptor), db, options, shutdown);
    db.shutdown();
}

}  // namespace

asio::awaitable<void> serve(tcp::acceptor acceptor, ServerOptions options, Shutdown shutdown)
{
    DbGuard guard;
    const auto executor = acceptor.get_executor();
    // Run the purge task (on a strand of its own; see purge_task.hpp) and the server side by
    // side, and return when both have ended. The server part shuts the Db down as soon as it
    // has served its last client, which is what ends the purge task.
    using namespace asio::experimental::awaitable_operators;
    co_await (asio::co_spawn(asio::make_strand(executor), purge_expired_keys(guard.db()),
                             asio::use_awaitable) &&
              serve_then_stop_purging(std::move(acceptor), guard.db(), options, shutdown));
}

asio::awaitable<void> serve(tcp::acceptor acceptor, Db db, ServerOptions options, Shutdown shutdown)
{
    // The loop runs on a strand of its own: the shutdown listener (from another thread) and the
    // loop then take turns on the acceptor and the count of sessions.
    const auto strand = asio::make_strand(acceptor.get_executor());
    co_await asio::co_spawn(strand, accept_and_drain(std::move(acceptor), db, options, shutdown),
                            asio::use_awaitable);
}

}  // namespace mini_redis
