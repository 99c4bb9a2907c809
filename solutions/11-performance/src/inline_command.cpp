// Splitting an inline command into arguments: see inline_command.hpp. Book: chapter 03,
// "Inline commands".
#include "inline_command.hpp"

namespace mini_redis {
namespace {

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c)
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
char unescape(char c)
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

/// Reads a quoted part of a word: `line[i]` is the first character after the opening `quote`
/// (a double or a single quote). Appends what the quotes hold to `word`, escapes decoded, and
/// leaves `i` just past the closing quote. Returns false when the quotes never close, or when
/// the closing quote is followed by anything but a space or the end of the line (`"a"b`).
bool unquote(std::string_view line, std::size_t& i, char quote, std::string& word)
{
    while (i < line.size()) {
        const char c = line[i];
        if (quote == '"' && c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' &&
            hex_value(line[i + 2]) >= 0 && hex_value(line[i + 3]) >= 0) {
            word += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
            i += 4;
        } else if (quote == '"' && c == '\\' && i + 1 < line.size()) {
            word += unescape(line[i + 1]);
            i += 2;
        } else if (quote == '\'' && c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
            word += '\'';
            i += 2;
        } else if (c == quote) {
            ++i;
            return i == line.size() || is_space(line[i]);  // "a"b: a closing quote ends the word
        } else {
            word += c;
            ++i;
        }
    }
    return false;  // the line ended inside the quotes
}

}  // namespace

std::optional<std::vector<std::string>> split_inline(std::string_view line)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    for (;;) {
        while (i < line.size() && is_space(line[i])) {
            ++i;
        }
        if (i == line.size()) {
            return words;
        }
        // One word. Quotes may start anywhere in it: a"b c" is the single word `ab c`.
        std::string word;
        while (i < line.size() && !is_space(line[i])) {
            const char c = line[i++];
            if (c == '"' || c == '\'') {
                if (!unquote(line, i, c, word)) {
                    return std::nullopt;
                }
                break;  // a closing quote ends the word
            }
            word += c;
        }
        words.push_back(std::move(word));
    }
}

}  // namespace mini_redis
