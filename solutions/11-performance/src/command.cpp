// From request frames to commands: see command.hpp. Book: chapter 03, "Commands as values".
#include "command.hpp"

#include "arguments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <limits>

namespace mini_redis {
namespace {

/// Milliseconds since the Unix epoch: Redis's own clock, used only to reproduce its upper bound
/// on expiry times.
std::int64_t unix_time_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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

/// The options after SET's value: nothing, `EX seconds` or `PX milliseconds` (option names in
/// any case), with Redis's errors for everything else.
std::optional<std::chrono::milliseconds> parse_set_expiry(Arguments& args)
{
    // Like Redis, read every option first and only then the number: `EX abc PX 5` is a syntax
    // error (EX and PX together), not "value is not an integer". The same option twice is
    // allowed, and the last one counts.
    std::optional<std::string> amount;
    std::string unit;  // "ex" or "px", once one was seen
    while (!args.empty()) {
        std::string option = args.next_bytes();
        std::transform(option.begin(), option.end(), option.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        // An unknown option, EX with PX, or an option without its number.
        if ((option != "ex" && option != "px") || (!unit.empty() && option != unit) ||
            args.empty()) {
            throw CommandError("ERR syntax error");
        }
        unit = option;
        amount = args.next_bytes();
    }
    const bool seconds = unit == "ex";
    if (!amount) {
        return std::nullopt;
    }
    const auto number = to_integer(*amount);
    if (!number) {
        throw CommandError("ERR value is not an integer or out of range");
    }
    // Redis refuses zero, negative and overflowing times, and deadlines beyond what its
    // millisecond Unix clock can count.
    const std::int64_t max_ms = std::numeric_limits<std::int64_t>::max() - unix_time_ms();
    if (*number <= 0 || (seconds && *number > max_ms / 1000) || (!seconds && *number > max_ms)) {
        throw CommandError("ERR invalid expire time in 'set' command");
    }
    return std::chrono::milliseconds(seconds ? *number * 1000 : *number);
}

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
            try {
                set.expire = parse_set_expiry(args);
            } catch (const CommandError& e) {
                return Invalid{e.what(), "set"};  // a mistake in the options: see Invalid
            }
            return set;
        }
        if (name == "publish") {
            Publish publish;
            publish.channel = args.next_bytes();
            publish.message = args.next_bytes();
            args.finish();
            return publish;
        }
        if (name == "subscribe") {
            Subscribe subscribe;
            subscribe.channels.reserve(args.remaining());
            do {
                subscribe.channels.push_back(args.next_bytes());  // at least one
            } while (!args.empty());
            return subscribe;
        }
        if (name == "unsubscribe") {
            Unsubscribe unsubscribe;
            unsubscribe.channels.reserve(args.remaining());
            while (!args.empty()) {
                unsubscribe.channels.push_back(args.next_bytes());  // none means all
            }
            return unsubscribe;
        }
        if (name == "quit") {
            return Quit{};  // Redis ignores any arguments to QUIT
        }
        return Invalid{unknown_command(args)};
    } catch (const CommandError& e) {
        return Invalid{e.what()};
    }
}

const std::string& command_name(const Command& command)
{
    if (const auto* invalid = std::get_if<Invalid>(&command)) {
        return invalid->command;
    }
    static const std::string names[] = {"ping",      "echo",        "get",  "set", "publish",
                                        "subscribe", "unsubscribe", "quit", ""};
    static_assert(std::size(names) == std::variant_size_v<Command>, "one name per command type");
    return names[command.index()];
}

}  // namespace mini_redis
