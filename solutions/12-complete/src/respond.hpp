// respond(): what a connection does with one request.
//
// Since chapter 06 that depends on the connection as well as on the command: SUBSCRIBE and
// UNSUBSCRIBE change the connection's subscriptions rather than the data, and a subscribed
// connection may run only a few commands (Redis's subscriber mode). The session reads the
// request and calls this; kept apart from the session's I/O, it can be driven without a socket
// (the request fuzzer, fuzz/fuzz_requests.cpp, does). Book: chapter 06, "Subscriber mode".
#pragma once

#include "command.hpp"
#include "db.hpp"
#include "net.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"

#include <optional>
#include <string>

namespace mini_redis {

/// What respond() tells the session about one request.
struct Responded {
    bool go_on = true;  // false after QUIT: the connection closes once its replies are sent
    std::string error;  // the error reply's message, when the reply was an error (for its span)
};

/// Runs `command` for one connection and queues its replies in `outbox`. SUBSCRIBE and
/// UNSUBSCRIBE go to `subscriptions`, which pause with `pause` between the turns of a long one.
/// While subscribed, only those, PING (answered as [pong, message]) and QUIT run; anything else
/// gets Redis's "Can't execute" error. Every other command runs against `db` (execute.hpp).
asio::awaitable<Responded> respond(Command command, Db& db, Subscriptions& subscriptions,
                                   Outbox& outbox, const Subscriptions::Pause& pause);

/// respond() for every command that never waits, run at once, with no coroutine: all but
/// SUBSCRIBE and UNSUBSCRIBE, for which it returns std::nullopt and leaves `command` as it was.
/// The session tries it first (chapter 11): most requests then start no coroutine at all.
std::optional<Responded> respond_at_once(Command& command, Db& db, Subscriptions& subscriptions,
                                         Outbox& outbox);

}  // namespace mini_redis
