// The session: everything one client connection does, from its first request to its close.
//
// Since chapter 06 a session is two coroutines: a reader that parses requests, runs them and
// queues the replies in the connection's Outbox, and a writer that sends what the Outbox holds,
// replies and published messages alike. Book: chapter 06, "Reader, writer and outbox".
#pragma once

#include "db.hpp"
#include "live_sessions.hpp"
#include "net.hpp"
#include "shutdown.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace mini_redis {

namespace telemetry {
class Tracer;  // telemetry/tracer.hpp
}

/// What one session may hold: see ServerOptions (server.hpp) for each.
struct SessionLimits {
    std::size_t message_limit;
    std::size_t query_buffer_limit;
    std::int64_t max_bulk_length;
    std::chrono::milliseconds idle_timeout;
    std::chrono::milliseconds drain_timeout;
};

/// Serves one client: reads commands from `socket`, runs them against `db` and replies, until
/// the client closes the connection, sends QUIT, falls more than limits.message_limit bytes
/// behind on its subscriptions' messages, or sends more than limits.query_buffer_limit bytes
/// without completing a request, or goes quiet for longer than limits.idle_timeout (then it is
/// disconnected), or closes its sending side and then does not read its last replies within
/// limits.drain_timeout. Bytes that are not RESP get the
/// reply "-ERR Protocol error: <reason>" and the connection is closed, as Redis does. `slot`
/// counts this client among the live ones until the session ends. When `shutdown` is
/// requested, the session reads no more requests, sends the replies that are due and closes;
/// when it is forced, it drops what is unsent and closes at once.
///
/// Must run on a strand of its own (serve() spawns it on asio::make_strand): its reader and
/// writer, and the wake-ups that publishers on other threads send its Outbox, take turns there.
/// Owns the socket: when the coroutine returns, the connection is closed and every subscription
/// is gone. Never throws for network or protocol errors; they end the session and are logged.
///
/// `tracer`, when not null, traces the session (chapter 10): a span for the connection, one for
/// each command, linked to it, and an event on the connection's span for each message the
/// client is sent. It must outlive the session.
asio::awaitable<void> session(tcp::socket socket, Db db, ClientSlot slot, SessionLimits limits,
                              Shutdown shutdown, telemetry::Tracer* tracer = nullptr);

/// Turns on TCP keepalive probes, as Redis does: the first after `seconds` of silence, then one
/// every third of that; after three unanswered probes the kernel reports the connection dead,
/// and a pending wait or read on it fails. Zero: no probes. The accept loop calls it as it
/// accepts, so that a client that never sends anything is probed too (server.cpp).
void enable_keepalive(tcp::socket& socket, unsigned seconds);

}  // namespace mini_redis
