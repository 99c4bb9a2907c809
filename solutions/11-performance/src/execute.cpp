// Executing commands: see execute.hpp. Book: chapter 03, "Executing a command".
#include "execute.hpp"

namespace mini_redis {
namespace {

/// Lets std::visit take one lambda per command type: overloaded{[](const Get&) {...}, ...}.
template <class... Handlers>
struct overloaded : Handlers... {
    using Handlers::operator()...;
};
// C++20 deduces the Handlers from the lambdas by itself; clang before 17 needs this guide.
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;

}  // namespace

Frame execute(Command command, Db& db)
{
    // One lambda per command type; the compiler complains if a type has none.
    return std::visit(
        overloaded{
            [](Ping& ping) {
                return ping.message ? Frame::bulk(std::move(*ping.message)) : Frame::simple("PONG");
            },
            [](Echo& echo) { return Frame::bulk(std::move(echo.message)); },
            [&db](const Get& get) {
                auto value = db.get(get.key);
                return value ? Frame::bulk(std::move(*value)) : Frame::null();
            },
            [&db](Set& set) {
                db.set(set.key, std::move(set.value), set.expire);
                return Frame::simple("OK");
            },
            [&db](const Publish& publish) {
                const auto received =
                    db.publish(publish.channel, message_push(publish.channel, publish.message));
                return Frame::integer(static_cast<std::int64_t>(received));
            },
            [](const Subscribe&) { return Frame::error("ERR SUBSCRIBE belongs to the session"); },
            [](const Unsubscribe&) {
                return Frame::error("ERR UNSUBSCRIBE belongs to the session");
            },
            [](const Quit&) { return Frame::simple("OK"); },
            [](const Invalid& invalid) { return Frame::error(invalid.error); },
        },
        command);
}

}  // namespace mini_redis
