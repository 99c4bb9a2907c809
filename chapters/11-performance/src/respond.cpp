// What a connection does with one request: see respond.hpp. Book: chapter 06, "Subscriber
// mode"; chapter 11, "A coroutine only for a wait" (respond_at_once, exercise 11.8).
#include "respond.hpp"

#include "execute.hpp"
#include "mini_redis/exercise.hpp"

#include <string>
#include <variant>

namespace mini_redis {
namespace {

/// What a subscribed connection may send: Redis allows (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING,
/// QUIT and RESET; we have SUBSCRIBE, UNSUBSCRIBE, PING and QUIT. An unknown command or a wrong
/// number of arguments (Invalid without a command) is answered with its own error, as Redis
/// checks names and arity first; a mistake in a command's options is not (see Invalid).
[[maybe_unused]] bool allowed_while_subscribed(const Command& command)
{
    const auto* invalid = std::get_if<Invalid>(&command);
    return std::holds_alternative<Subscribe>(command) ||
           std::holds_alternative<Unsubscribe>(command) || std::holds_alternative<Ping>(command) ||
           std::holds_alternative<Quit>(command) || (invalid && invalid->command.empty());
}

}  // namespace

asio::awaitable<Responded> respond(Command command, Db& db, Subscriptions& subscriptions,
                                   Outbox& outbox, const Subscriptions::Pause& pause)
{
    if (auto responded = respond_at_once(command, db, subscriptions, outbox)) {
        co_return std::move(*responded);
    }
    if (auto* subscribe = std::get_if<Subscribe>(&command)) {
        co_await subscriptions.subscribe(subscribe->channels, pause);
    } else if (auto* unsubscribe = std::get_if<Unsubscribe>(&command)) {
        co_await subscriptions.unsubscribe(unsubscribe->channels, pause);
    }
    co_return Responded{};
}

std::optional<Responded> respond_at_once(Command& command, Db& db, Subscriptions& subscriptions,
                                         Outbox& outbox)
{
    // EXERCISE 11.8: Answer at once what never waits
    //
    // Answer `command` now, without a coroutine, when it never waits: every command but
    // SUBSCRIBE and UNSUBSCRIBE. For those two return std::nullopt and leave `command` as it
    // is: respond(), the coroutine, runs it next.
    //
    // The rest as respond() did before (chapter 6's rules): while subscriptions.active(),
    // refuse whatever allowed_while_subscribed() does not let through with Redis's "Can't
    // execute" error (command_name() names it), and answer PING as an array of "pong" and its
    // message ("" without one); run anything else against the Db with execute() and queue its
    // reply. Return go_on false after QUIT, and in `error` the message of an error reply, a
    // refusal's too.
    //
    // Check: ./workbook test 11   Stuck? ./workbook hint 11.8
    mini_redis::unused(command, db, subscriptions, outbox);
    mini_redis::todo("11.8", "book/11-performance.md#exercise-118-answering-at-once");
    // END EXERCISE 11.8
}

}  // namespace mini_redis
