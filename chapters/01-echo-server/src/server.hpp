// The echo server: an accept loop and one coroutine per connection.
//
// Chapter 01 teaches the shape every later chapter keeps: one coroutine accepts clients, and
// each client gets a coroutine of its own that reads and writes as if it were the only one, while
// a single thread serves them all. Book: chapter 01.
#pragma once

#include "net.hpp"

namespace mini_redis {

/// Accepts clients on `acceptor`, forever, and starts an `echo_session` for each in a coroutine of
/// its own, so a slow or silent client never holds up the others.
///
/// Takes the acceptor by value: the coroutine owns it for as long as it runs, and it closes when
/// the coroutine ends. Returns only if the acceptor is closed (or the io_context is stopped and
/// destroyed); a failed accept is logged and the loop goes on.
asio::awaitable<void> serve(tcp::acceptor acceptor);

/// Sends every byte that arrives on `socket` straight back, until the client closes its sending
/// side (end of stream), the connection fails, or the client vanishes.
///
/// Owns the socket: when the coroutine returns, the socket is destroyed and the connection closes.
/// Never throws for network errors; they end the session and are logged.
asio::awaitable<void> echo_session(tcp::socket socket);

}  // namespace mini_redis
