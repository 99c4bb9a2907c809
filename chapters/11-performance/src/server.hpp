// The server: the accept loop that starts a session (session.hpp) per client, and the purge task
// that deletes expired keys (purge_task.hpp).
//
// Sessions may run on several threads at once (chapter 04 runs the io_context on a pool);
// everything they share goes through Db, which locks. Book: chapters 03 to 08.
#pragma once

#include "db.hpp"
#include "net.hpp"
#include "shutdown.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace mini_redis {

namespace telemetry {
class Tracer;  // telemetry/tracer.hpp
}

/// Settings of a running server. The defaults are Redis's, but for max_connections (the
/// 250 of mini-redis; Redis allows 10,000).
struct ServerOptions {
    /// How far, in bytes of unsent messages, a subscriber may fall behind before it is
    /// disconnected (Redis: client-output-buffer-limit pubsub, 32 MiB hard limit).
    std::size_t message_limit = 32 * 1024 * 1024;

    /// Clients connected at once. One more is told "-ERR max number of clients reached" and
    /// closed, as Redis does (Redis: maxclients).
    std::size_t max_connections = 250;

    /// The most bytes of one client's unparsed requests the server holds (Redis:
    /// client-query-buffer-limit, 1 GiB). A client that sends more without completing a request
    /// is disconnected.
    std::size_t query_buffer_limit = 1024 * 1024 * 1024;

    /// The longest bulk string a request may carry (Redis: proto-max-bulk-len, 512 MiB).
    std::int64_t max_bulk_length = 512LL * 1024 * 1024;

    /// A client that sends nothing for this long is disconnected; zero: never, the default
    /// (Redis: timeout). Subscribers are exempt: they wait for messages, not for replies.
    std::chrono::milliseconds idle_timeout{0};

    /// How long a client may leave its replies unread: while its requests wait for room in the
    /// outbox, or, once it closed its sending side (or the server stopped reading), for its last
    /// replies and the lingering close. Then the connection is closed: a client that never reads
    /// would otherwise hold its slot and its replies for ever.
    std::chrono::milliseconds drain_timeout{10000};

    /// Seconds of silence after which the operating system probes the peer, so that one that
    /// vanished (switched off, cable pulled) is noticed and its slot freed; zero: no probes
    /// (Redis: tcp-keepalive, 300).
    unsigned tcp_keepalive = 300;

    /// After a failed accept (for instance "too many open files") the server waits this long
    /// before it tries again, doubling the wait after each further failure up to the cap, and
    /// going back to the start after a success.
    std::chrono::milliseconds accept_backoff_start{1000};
    std::chrono::milliseconds accept_backoff_cap{64000};

    /// How the server waits out a back-off. Empty: a steady_timer, real time. Tests pass a
    /// function that records the wait instead, so they need no clock at all.
    std::function<asio::awaitable<void>(std::chrono::milliseconds)> sleep;

    /// Traces every session when not null (chapter 10); the caller keeps it alive until serve()
    /// has returned. Null: no tracing, and no cost but a test per command.
    telemetry::Tracer* tracer = nullptr;

    /// How long a graceful shutdown waits for sessions to send their last replies before it
    /// cuts off the ones still writing (to clients that do not read).
    std::chrono::milliseconds shutdown_grace{5000};

    /// Fault injection for tests: when set, called before each accept; an error it returns is
    /// taken as that accept's failure (as if the operating system had refused it).
    std::function<boost::system::error_code()> accept_fault;
};

/// The whole server: creates the Db (owned by a DbGuard for as long as this coroutine runs),
/// runs the purge task that deletes expired keys, and serves clients on `acceptor` with
/// serve(acceptor, db, options, shutdown) below. Returns once `shutdown` was requested and
/// every session and the purge task have ended. Safe to run on an io_context with many threads.
asio::awaitable<void> serve(tcp::acceptor acceptor, ServerOptions options = {},
                            Shutdown shutdown = {});

/// Accepts clients on `acceptor` and starts a session for each in a coroutine of its own, on a
/// strand of its own, so a slow or silent client never holds up the others. All sessions share
/// `db`. Starts no purge task: tests use this to serve a Db on a manual clock with their own.
/// Holds to options.max_connections; backs off after failed accepts.
///
/// When `shutdown` is requested: stops accepting (the acceptor closes, so new clients are
/// refused by the operating system), lets every session send its due replies and close, and
/// returns when all have ended; after options.shutdown_grace it forces the stragglers. Also
/// returns, at once, if the acceptor is closed otherwise.
asio::awaitable<void> serve(tcp::acceptor acceptor, Db db, ServerOptions options = {},
                            Shutdown shutdown = {});

}  // namespace mini_redis
