// What a connection does with one request: see respond.hpp. Book: chapter 06, "Subscriber
// mode".
#include "respond.hpp"

#include "execute.hpp"
#include "mini_redis/exercise.hpp"

#include <iterator>
#include <string>
#include <variant>

namespace mini_redis {
namespace {

/// The name Redis quotes for a command refused in subscriber mode.
[[maybe_unused]] std::string name_of(const Command& command)
{
    if (const auto* invalid = std::get_if<Invalid>(&command)) {
        return invalid->command;
    }
    static constexpr const char* names[] = {"ping",      "echo",        "get",  "set", "publish",
                                            "subscribe", "unsubscribe", "quit", ""};
    static_assert(std::size(names) == std::variant_size_v<Command>, "one name per command type");
    return names[command.index()];
}

// [book: allowed-while-subscribed]
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
// [end book: allowed-while-subscribed]

}  // namespace

// [book: respond]
asio::awaitable<bool> respond(Command command, Db& db, Subscriptions& subscriptions, Outbox& outbox,
                              const Subscriptions::Pause& pause)
{
    // EXERCISE 06.11: Answer a request, in subscriber mode or out of it
    //
    // Answer one request into the outbox. SUBSCRIBE and UNSUBSCRIBE go to `subscriptions`
    // (co_await them, passing `pause`). While subscriptions.active(), refuse every command that
    // allowed_while_subscribed() does not let through with Redis's error, naming the command
    // with name_of(), and answer PING as an array of "pong" and its message ("" without one).
    // Anything else is executed against the Db, as before. Return false after QUIT (the reader
    // stops), true otherwise.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.11
    mini_redis::unused(command, db, subscriptions, outbox, pause);
    co_return co_await mini_redis::co_todo<bool>("06.11", "book/06-pub-sub.md#exercise-0611-answering-in-subscriber-mode");
    // END EXERCISE 06.11
    co_return true;
}
// [end book: respond]

}  // namespace mini_redis
