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
    // One lambda per command type; the compiler complains if a type has none.
    return std::visit(
        overloaded{
            [](Ping& ping) {
                return ping.message ? Frame::bulk(std::move(*ping.message)) : Frame::simple("PONG");
            },
            [](Echo& echo) { return Frame::bulk(std::move(echo.message)); },
            [&keys](const Get& get) {
                const auto found = keys.find(get.key);
                return found == keys.end() ? Frame::null() : Frame::bulk(found->second);
            },
            [&keys](Set& set) {
                keys.insert_or_assign(std::move(set.key), std::move(set.value));
                return Frame::simple("OK");
            },
            [](const Quit&) { return Frame::simple("OK"); },
            [](const Invalid& invalid) { return Frame::error(invalid.error); },
        },
        command);
    // END EXERCISE 03.6
}
// [end book: execute]

}  // namespace mini_redis
