// The server: the accept loop, and a session per client that reads commands, executes them
// against the shared Db and replies.
//
// Sessions may now run on several threads at once (chapter 04 runs the io_context on a pool);
// everything they share goes through Db, which locks. Book: chapters 03 and 04.
#pragma once

#include "db.hpp"
#include "net.hpp"

namespace mini_redis {

/// Accepts clients on `acceptor`, forever, and starts a `session` for each in a coroutine of
/// its own, so a slow or silent client never holds up the others. Creates the Db that all
/// sessions share. Safe to run on an io_context with many threads.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor);

/// Serves one client: reads commands from `socket`, executes each against `db` and replies,
/// until the client closes the connection or sends QUIT. Bytes that are not RESP get the reply
/// "-ERR Protocol error: <reason>" and the connection is closed, as Redis does.
///
/// Owns the socket: when the coroutine returns, the socket is destroyed and the connection
/// closes. `db` is this session's own handle to the shared key space. Never throws for network
/// or protocol errors; they end the session and are logged.
asio::awaitable<void> session(tcp::socket socket, Db db);

}  // namespace mini_redis
