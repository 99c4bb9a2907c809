// From request frames to commands: see command.hpp. Book: chapter 03, "Commands as values".
#include "command.hpp"

#include "arguments.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <limits>

namespace mini_redis {
namespace {

// [book: unix-time-ms]
/// Milliseconds since the Unix epoch: Redis's own clock, used only to reproduce its upper bound
/// on expiry times.
[[maybe_unused]] std::int64_t unix_time_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
// [end book: unix-time-ms]

/// A piece of client input fit to quote in an error line, as Redis quotes it: cut at a NUL byte
/// (Redis formats it as a C string) and at `limit` bytes, with \r and \n turned into spaces so
/// the reply stays one line.
std::string quotable(std::string_view text, std::size_t limit)
{
    std::string out(text.substr(0, std::min(text.find('\0'), limit)));
    for (char& c : out) {
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
    }
    return out;
}

/// Redis's reply to a command it does not know: the name as sent, then the first arguments,
/// each quoted, until about 128 bytes of them have been quoted.
std::string unknown_command(Arguments& args)
{
    std::string quoted;
    while (!args.empty() && quoted.size() < 128) {
        quoted += fmt::format("'{}' ", quotable(args.next_bytes(), 128 - quoted.size()));
    }
    return fmt::format("ERR unknown command '{}', with args beginning with: {}",
                       quotable(args.name(), 128), quoted);
}

// [book: parse-set-expiry]
/// The options after SET's value: nothing, `EX seconds` or `PX milliseconds` (option names in
/// any case), with Redis's errors for everything else.
std::optional<std::chrono::milliseconds> parse_set_expiry(Arguments& args)
{
    // EXERCISE 05.1: Parse SET's EX and PX options
    //
    // Read SET's options from `args` and return the expiry, or std::nullopt when there is none.
    // The options are `EX seconds` or `PX milliseconds`, names in any case; the word after EX
    // or PX is always its number (as in Redis: `EX PX 5` reads PX as EX's number, then 5 as an
    // unknown option). First read all options: an unknown one, EX together with PX, or one
    // without its number throws CommandError("ERR syntax error"); the same option twice is
    // fine, and the last one counts. Then the number: not an integer (to_integer) is "ERR value
    // is not an integer or out of range"; zero, negative, or more milliseconds than INT64_MAX -
    // unix_time_ms() is "ERR invalid expire time in 'set' command".
    //
    // Check: ./workbook test 5   Stuck? ./workbook hint 05.1
    mini_redis::unused(args);
    mini_redis::todo("05.1", "book/05-expiration.md#exercise-051-ex-and-px");
    // END EXERCISE 05.1
}
// [end book: parse-set-expiry]

}  // namespace

Command parse_command(Frame request)
{
    auto* items = std::get_if<Frame::Array>(&request.value);
    if (items == nullptr || items->empty()) {
        return Invalid{"ERR Protocol error: a command must be a non-empty array"};
    }
    try {
        Arguments args(std::move(*items));
        const std::string& name = args.lowercase_name();
        // Each branch takes exactly the arguments its command needs; next_bytes() and finish()
        // throw the "wrong number of arguments" error by themselves.
        if (name == "ping") {
            Ping ping;
            if (!args.empty()) {
                ping.message = args.next_bytes();
            }
            args.finish();
            return ping;
        }
        if (name == "echo") {
            Echo echo{args.next_bytes()};
            args.finish();
            return echo;
        }
        if (name == "get") {
            Get get{args.next_bytes()};
            args.finish();
            return get;
        }
        if (name == "set") {
            Set set;
            set.key = args.next_bytes();
            set.value = args.next_bytes();
            set.expire = parse_set_expiry(args);
            return set;
        }
        if (name == "quit") {
            return Quit{};  // Redis ignores any arguments to QUIT
        }
        return Invalid{unknown_command(args)};
    } catch (const CommandError& e) {
        return Invalid{e.what()};
    }
}

}  // namespace mini_redis
