// Splitting an inline command into arguments: see inline_command.hpp. Book: chapter 03,
// "Inline commands".
#include "inline_command.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {
namespace {

[[maybe_unused]] bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

[[maybe_unused]] int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// The character a backslash escape in double quotes stands for: \n is a newline, and so on;
/// any other character stands for itself (so \" is a quote and \\ a backslash).
[[maybe_unused]] char unescape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'b':
        return '\b';
    case 'a':
        return '\a';
    default:
        return c;
    }
}

}  // namespace

// [book: split-inline]
std::optional<std::vector<std::string>> split_inline(std::string_view line)
{
    // EXERCISE 03.4: Split an inline command into arguments
    //
    // Split an inline command line into arguments as Redis does: words separated by runs of
    // whitespace (spaces, tabs and the other is_space() characters); "double quotes" keep
    // spaces and understand \n \r \t \b \a, \xHH and \<other character>; 'single quotes' keep
    // everything except \' for a quote; a quote may start in the middle of a word; a closing
    // quote must be followed by a space or the end of the line. Return std::nullopt for
    // unbalanced quotes. A blank line gives an empty list.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.4
    mini_redis::unused(line);
    mini_redis::todo("03.4", "book/03-commands.md#exercise-034-inline-commands");
    // END EXERCISE 03.4
}
// [end book: split-inline]

}  // namespace mini_redis
