// The server: the accept loop, and a session per client that reads commands, executes them
// against the key space and replies.
//
// Still one thread: every session runs on the same io_context thread, one at a time between
// awaits, so they can all use one plain hash map without locks. Book: chapter 03.
#pragma once

#include "execute.hpp"
#include "net.hpp"

#include <memory>

namespace mini_redis {

/// Accepts clients on `acceptor`, forever, and starts a `session` for each in a coroutine of
/// its own, so a slow or silent client never holds up the others. Creates the key space that
/// all sessions share.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor);

/// Serves one client: reads commands from `socket`, executes each against `keys` and replies,
/// until the client closes the connection or sends QUIT. Bytes that are not RESP get the reply
/// "-ERR Protocol error: <reason>" and the connection is closed, as Redis does.
///
/// Owns the socket: when the coroutine returns, the socket is destroyed and the connection
/// closes. Shares `keys` with every other session; the shared_ptr keeps the map alive for as
/// long as any session still runs. Must run on the io_context's single thread: the map has no
/// lock. Never throws for network or protocol errors; they end the session and are logged.
asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<KeySpace> keys);

}  // namespace mini_redis
