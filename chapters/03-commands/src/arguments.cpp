// The argument cursor: see arguments.hpp. Book: chapter 03, "Reading arguments with a cursor".
#include "arguments.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mini_redis {
namespace {

/// The text of a scalar argument frame, moved out of it: the cursor never looks at an
/// argument again once it has handed it out, so a SET's value is not copied here. The request
/// parser lets through only bulk strings, simple strings and integers, so anything else is a
/// bug upstream.
[[maybe_unused]] std::string take_text(Frame& frame)
{
    if (auto* bulk = std::get_if<Frame::Bulk>(&frame.value)) {
        return std::move(bulk->bytes);
    }
    if (auto* simple = std::get_if<Frame::Simple>(&frame.value)) {
        return std::move(simple->text);
    }
    if (const auto* integer = std::get_if<std::int64_t>(&frame.value)) {
        return std::to_string(*integer);
    }
    throw CommandError("ERR Protocol error: expected a bulk string argument");
}

}  // namespace

// [book: to-integer]
std::optional<std::int64_t> to_integer(std::string_view text)
{
    // EXERCISE 03.3: Read an integer as strictly as Redis
    //
    // Return `text` as a signed 64-bit integer if Redis would read it as one, std::nullopt
    // otherwise. Redis accepts "0", or an optional '-' followed by digits that do not start
    // with 0, within the range of std::int64_t. Everything else is not an integer: "", "-",
    // "+1", " 1", "1 ", "007", "-0", "1.5", "12abc", "9223372036854775808".
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.3
    mini_redis::unused(text);
    mini_redis::todo("03.3", "book/03-commands.md#exercise-033-integers-as-redis-reads-them");
    // END EXERCISE 03.3
}
// [end book: to-integer]

// [book: constructor]
Arguments::Arguments(Frame::Array command) : items_(std::move(command))
{
    // EXERCISE 03.1: Take the command's name, and its lower-case form
    //
    // Open the cursor: items_ holds the whole request. Keep the command's name (items_[0]'s
    // text) in name_, exactly as sent, and its lower-case form in lowercase_name_: commands are
    // matched against that one, so names are case-insensitive. A request with no items at all
    // throws CommandError("ERR empty command") (the parser never sends one; be defensive
    // anyway).
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.1
    mini_redis::unused(items_, name_);
    mini_redis::todo("03.1", "book/03-commands.md#exercise-031-the-commands-name");
    // END EXERCISE 03.1
}
// [end book: constructor]

// [book: next-bytes]
std::string Arguments::next_bytes()
{
    // EXERCISE 03.2: Take the next argument
    //
    // Return the next argument's bytes and move the cursor past it. When no argument is left,
    // the client sent too few: call wrong_number(), which throws Redis's "wrong number of
    // arguments" error.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.2
    mini_redis::unused(next_);
    mini_redis::todo("03.2", "book/03-commands.md#exercise-032-the-next-argument");
    // END EXERCISE 03.2
}
// [end book: next-bytes]

std::int64_t Arguments::next_integer()
{
    const auto value = to_integer(next_bytes());
    if (!value) {
        throw CommandError("ERR value is not an integer or out of range");
    }
    return *value;
}

void Arguments::finish() const
{
    if (!empty()) {
        wrong_number();
    }
}

void Arguments::wrong_number() const
{
    throw CommandError(
        fmt::format("ERR wrong number of arguments for '{}' command", lowercase_name_));
}

}  // namespace mini_redis
