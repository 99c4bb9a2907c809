// What a connection does with one request: see respond.hpp. Book: chapter 06, "Subscriber
// mode"; chapter 11, "A coroutine only for a wait" (respond_at_once, exercise 11.8).
#include "respond.hpp"

#include "execute.hpp"

#include <string>
#include <variant>

namespace mini_redis {
namespace {

/// What a subscribed connection may send: Redis allows (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING,
/// QUIT and RESET; we have SUBSCRIBE, UNSUBSCRIBE, PING and QUIT. An unknown command or a wrong
/// number of arguments (Invalid without a command) is answered with its own error, as Redis
/// checks names and arity first; a mistake in a command's options is not (see Invalid).
bool allowed_while_subscribed(const Command& command)
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
    if (std::holds_alternative<Subscribe>(command) ||
        std::holds_alternative<Unsubscribe>(command)) {
        return std::nullopt;  // these pause between their turns: respond() runs them
    }
    if (subscriptions.active() && !allowed_while_subscribed(command)) {
        auto refusal = "ERR Can't execute '" + command_name(command) +
                       "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                       "are allowed in this context";
        outbox.queue(Frame::error(refusal));
        return Responded{.error = std::move(refusal)};
    }
    if (auto* ping = std::get_if<Ping>(&command); ping && subscriptions.active()) {
        // In subscriber mode PING answers in the shape of a message: [pong, message].
        outbox.queue(Frame::array({Frame::bulk("pong"), Frame::bulk(ping->message.value_or(""))}));
        return Responded{};
    }
    const bool quit = std::holds_alternative<Quit>(command);
    const Frame reply = execute(std::move(command), db);
    outbox.queue(reply);
    const auto* error = std::get_if<Frame::Error>(&reply.value);
    return Responded{.go_on = !quit, .error = error ? error->message : std::string()};
}

}  // namespace mini_redis
