// The server: the accept loop that starts a session (session.hpp) per client, and the purge task
// that deletes expired keys (purge_task.hpp).
//
// Sessions may run on several threads at once (chapter 04 runs the io_context on a pool);
// everything they share goes through Db, which locks. Book: chapters 03 to 06.
#pragma once

#include "db.hpp"
#include "net.hpp"

#include <cstddef>

namespace mini_redis {

// [book: server-options]
/// Settings of a running server. The defaults are Redis's.
struct ServerOptions {
    /// How far, in bytes of unsent messages, a subscriber may fall behind before it is
    /// disconnected (Redis: client-output-buffer-limit pubsub, 32 MiB hard limit).
    std::size_t message_limit = 32 * 1024 * 1024;
};
// [end book: server-options]

/// The whole server: creates the Db (owned by a DbGuard for as long as this coroutine runs),
/// starts the purge task that deletes expired keys, and serves clients on `acceptor` with
/// serve(acceptor, db, options) below. When it ends, the guard shuts the Db down, which stops
/// the purge task. Safe to run on an io_context with many threads.
asio::awaitable<void> serve(tcp::acceptor acceptor, ServerOptions options = {});

/// Accepts clients on `acceptor`, forever, and starts a session for each in a coroutine of its
/// own, on a strand of its own, so a slow or silent client never holds up the others. All
/// sessions share `db`. Starts no purge task: tests use this to serve a Db on a manual clock
/// with their own.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor, Db db, ServerOptions options = {});

}  // namespace mini_redis
