// The one place that names the Asio pieces this chapter uses.
//
// Every other file says `asio::` and `tcp::` through these aliases, so the code reads the same in
// every chapter. The headers here are the ones most files need; a file that needs another piece
// of Asio (a timer, a signal set, a channel) includes it itself. Book: chapter 01, "Asio in two
// minutes".
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace mini_redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// The completion token we pass to every asynchronous operation inside a coroutine.
///
/// `asio::use_awaitable` alone makes `co_await op(...)` suspend the coroutine until the operation
/// finishes and then *throw* on error. Wrapping it in `as_tuple` makes the same await return
/// `(error_code, result...)` instead: a client hanging up is an everyday event, not an exception,
/// so we want to look at the error where it happens.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace mini_redis
