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
[[maybe_unused]] std::string quotable(std::string_view text, std::size_t limit)
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
[[maybe_unused]] std::string unknown_command(Arguments& args)
{
    // EXERCISE 03.4: Word the unknown-command error as Redis does
    //
    // Return Redis's error text for a command it does not know: ERR unknown command '<name as
    // sent>', with args beginning with: '<arg1>' '<arg2>' ... Each argument is quoted as '...'
    // followed by a space (so with no arguments the text ends in "with args beginning with: ").
    // Quote arguments while fewer than 128 bytes of quotes have been written, each cut to what
    // is left of the 128; the name is cut at 128 bytes. quotable() does the cutting and
    // cleaning.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.4
    mini_redis::unused(args);
    mini_redis::todo("03.4", "book/03-commands.md#exercise-034-the-unknown-command-error");
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
        //
        // Turn the request into a command by its lower-case `name`: PING [message], ECHO
        // message, GET key, SET key value, QUIT (any arguments). Take each argument with
        // args.next_bytes() and end with args.finish(), which throw Redis's "wrong number of
        // arguments" errors for you. SET with anything after the value throws CommandError("ERR
        // syntax error"). Any other name: return Invalid{unknown_command(args)}.
        //
        // Check: ./workbook test 3   Stuck? ./workbook hint 03.5
        mini_redis::unused(name);
        mini_redis::todo("03.5", "book/03-commands.md#exercise-035-recognising-commands");
        // END EXERCISE 03.5
    } catch (const CommandError& e) {
        return Invalid{e.what()};
    }
}
// [end book: parse-command]

}  // namespace mini_redis
