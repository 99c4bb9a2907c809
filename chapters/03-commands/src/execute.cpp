// Executing commands: see execute.hpp. Book: chapter 03, "Executing a command".
#include "execute.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {
namespace {

// [book: overloaded]
/// Lets std::visit take one lambda per command type: overloaded{[](const Get&) {...}, ...}.
template <class... Handlers>
struct overloaded : Handlers... {
    using Handlers::operator()...;
};
// C++20 deduces the Handlers from the lambdas by itself; clang before 17 needs this guide.
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;
// [end book: overloaded]

}  // namespace

// [book: execute]
Frame execute(Command command, KeySpace& keys)
{
    // EXERCISE 03.6: Execute each command
    //
    // Return the reply to `command`: PING gives +PONG, or its message as a bulk string; ECHO
    // its message as a bulk string; GET the value as a bulk string, or null when the key is
    // missing; SET stores the value (replacing any old one) and gives +OK; QUIT gives +OK;
    // Invalid gives an error reply with its text.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.6
    mini_redis::unused(command, keys);
    mini_redis::todo("03.6", "book/03-commands.md#exercise-036-executing-commands");
    // END EXERCISE 03.6
}
// [end book: execute]

}  // namespace mini_redis
