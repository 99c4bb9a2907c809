// The server: the accept loop, a session per client that reads commands, executes them
// against the shared Db and replies, and the purge task that deletes expired keys.
//
// Sessions may now run on several threads at once (chapter 04 runs the io_context on a pool);
// everything they share goes through Db, which locks. Book: chapters 03 to 05.
#pragma once

#include "db.hpp"
#include "net.hpp"

namespace mini_redis {

/// The whole server: creates the Db (owned by a DbGuard for as long as this coroutine runs),
/// starts the purge task that deletes expired keys, and serves clients on `acceptor` with
/// serve(acceptor, db) below. When it ends, the guard shuts the Db down, which stops the purge
/// task. Safe to run on an io_context with many threads.
asio::awaitable<void> serve(tcp::acceptor acceptor);

/// Accepts clients on `acceptor`, forever, and starts a `session` for each in a coroutine of
/// its own, so a slow or silent client never holds up the others. All sessions share `db`.
/// Starts no purge task: tests use this to serve a Db on a manual clock with their own.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor, Db db);

/// Serves one client: reads commands from `socket`, executes each against `db` and replies,
/// until the client closes the connection or sends QUIT. Bytes that are not RESP get the reply
/// "-ERR Protocol error: <reason>" and the connection is closed, as Redis does.
///
/// Owns the socket: when the coroutine returns, the socket is destroyed and the connection
/// closes. `db` is this session's own handle to the shared key space. Never throws for network
/// or protocol errors; they end the session and are logged.
asio::awaitable<void> session(tcp::socket socket, Db db);

}  // namespace mini_redis
