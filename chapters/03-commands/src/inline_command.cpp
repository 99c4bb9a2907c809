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

// [book: read-quoted]
/// Reads a quoted part of a word: `line[i]` is the first character after the opening `quote`
/// (a double or a single quote). Appends what the quotes hold to `word`, escapes decoded, and
/// leaves `i` just past the closing quote. Returns false when the quotes never close, or when
/// the closing quote is followed by anything but a space or the end of the line (`"a"b`).
[[maybe_unused]] bool unquote(std::string_view line, std::size_t& i, char quote, std::string& word)
{
    // EXERCISE 03.9: Read the quoted part of a word
    //
    // Read the quoted part of a word, from line[i] (just after the opening `quote`) to the
    // closing quote, appending to `word`. In "double quotes": \xHH (two hex digits) is that
    // byte; \n \r \t \b \a are control characters (unescape() knows them); a backslash before
    // any other character stands for that character. In 'single quotes' only \' is special.
    // Leave i just past the closing quote and return true if it is followed by whitespace or
    // the end of the line; return false if it is glued to more text, or if the line ends before
    // the quotes close.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.9
    mini_redis::unused(line, i, quote, word);
    mini_redis::todo("03.9", "book/03-commands.md#exercise-039-quotes-and-escapes");
    // END EXERCISE 03.9
}
// [end book: read-quoted]

}  // namespace

// [book: split-inline]
std::optional<std::vector<std::string>> split_inline(std::string_view line)
{
    // EXERCISE 03.8: Split an inline command into words
    //
    // Split an inline command line into words, as Redis does: words are separated by runs of
    // whitespace (spaces, tabs and the other is_space() characters); a blank line gives an
    // empty list. A quote (" or ') may start anywhere in a word: hand the rest of the word to
    // unquote(line, i, quote, word), which reads up to the closing quote and says whether the
    // quotes were well formed (if not, return std::nullopt); the word ends with its closing
    // quote.
    //
    // Check: ./workbook test 3   Stuck? ./workbook hint 03.8
    mini_redis::unused(line);
    mini_redis::todo("03.8", "book/03-commands.md#exercise-038-splitting-an-inline-command");
    // END EXERCISE 03.8
}
// [end book: split-inline]

}  // namespace mini_redis
