// From request frames to commands: see command.hpp. Book: chapter 03, "Commands as values".
#include "command.hpp"

#include "arguments.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

namespace mini_redis {
namespace {

// [book: unknown-command]
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
// [end book: unknown-command]

// [book: unknown-command-exercise]
/// Redis's reply to a command it does not know: the name as sent, then the first arguments,
/// each quoted, until about 128 bytes of them have been quoted.
std::string unknown_command(Arguments& args)
{
    // EXERCISE 03.4: Word the unknown-command error as Redis does
    std::string quoted;
    while (!args.empty() && quoted.size() < 128) {
        quoted += fmt::format("'{}' ", quotable(args.next_bytes(), 128 - quoted.size()));
    }
    return fmt::format("ERR unknown command '{}', with args beginning with: {}",
                       quotable(args.name(), 128), quoted);
    // END EXERCISE 03.4
}
// [end book: unknown-command-exercise]

}  // namespace

// [book: parse-command]
Command parse_command(Frame request)
{
    auto* items = std::get_if<Frame::Array>(&request.value);
    if (items == nullptr || items->empty()) {
        return Invalid{"ERR Protocol error: a command must be a non-empty array"};
    }
    try {
        Arguments args(std::move(*items));
        const std::string& name = args.lowercase_name();
        // EXERCISE 03.5: Recognise the commands and their arguments
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
            if (!args.empty()) {
                throw CommandError("ERR syntax error");  // options come in chapter 05
            }
            return set;
        }
        if (name == "quit") {
            return Quit{};  // Redis ignores any arguments to QUIT
        }
        return Invalid{unknown_command(args)};
        // END EXERCISE 03.5
    } catch (const CommandError& e) {
        return Invalid{e.what()};
    }
}
// [end book: parse-command]

}  // namespace mini_redis
