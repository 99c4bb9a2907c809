// The frame echo server: the accept loop of chapter 01, now with a session that speaks RESP.
//
// Each client gets a coroutine that reads whole frames through a Connection and answers each
// with the same frame. Chapter 03 replaces the echo with real commands. Book: chapter 02.
#pragma once

#include "net.hpp"

namespace mini_redis {

/// Accepts clients on `acceptor`, forever, and starts a `session` for each in a coroutine of
/// its own, so a slow or silent client never holds up the others.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor);

/// Reads frames from `socket` and answers each with the same frame, until the client closes the
/// connection. Bytes that are not RESP get the reply "-ERR Protocol error: <reason>" and the
/// connection is closed, as Redis does.
///
/// Owns the socket: when the coroutine returns, the socket is destroyed and the connection closes.
/// Never throws for network or protocol errors; they end the session and are logged.
asio::awaitable<void> session(tcp::socket socket);

}  // namespace mini_redis
