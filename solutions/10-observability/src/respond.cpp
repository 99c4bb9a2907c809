// What a connection does with one request: see respond.hpp. Book: chapter 06, "Subscriber
// mode".
#include "respond.hpp"

#include "execute.hpp"

#include <iterator>
#include <string>
#include <variant>

namespace mini_redis {
namespace {

/// The name Redis quotes for a command refused in subscriber mode.
std::string name_of(const Command& command)
{
    if (const auto* invalid = std::get_if<Invalid>(&command)) {
        return invalid->command;
    }
    static constexpr const char* names[] = {"ping",      "echo",        "get",  "set", "publish",
                                            "subscribe", "unsubscribe", "quit", ""};
    static_assert(std::size(names) == std::variant_size_v<Command>, "one name per command type");
    return names[command.index()];
}

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

asio::awaitable<bool> respond(Command command, Db& db, Subscriptions& subscriptions, Outbox& outbox,
                              const Subscriptions::Pause& pause)
{
    if (auto* subscribe = std::get_if<Subscribe>(&command)) {
        co_await subscriptions.subscribe(subscribe->channels, pause);
    } else if (auto* unsubscribe = std::get_if<Unsubscribe>(&command)) {
        co_await subscriptions.unsubscribe(unsubscribe->channels, pause);
    } else if (subscriptions.active() && !allowed_while_subscribed(command)) {
        outbox.queue(Frame::error("ERR Can't execute '" + name_of(command) +
                                  "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                                  "are allowed in this context"));
    } else if (auto* ping = std::get_if<Ping>(&command); ping && subscriptions.active()) {
        // In subscriber mode PING answers in the shape of a message: [pong, message].
        outbox.queue(Frame::array({Frame::bulk("pong"), Frame::bulk(ping->message.value_or(""))}));
    } else {
        const bool quit = std::holds_alternative<Quit>(command);
        outbox.queue(execute(std::move(command), db));
        co_return !quit;
    }
    co_return true;
}

}  // namespace mini_redis
