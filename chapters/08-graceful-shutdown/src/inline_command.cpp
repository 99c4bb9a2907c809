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

}  // namespace

std::optional<std::vector<std::string>> split_inline(std::string_view line)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    const auto at_end_or_space = [&](std::size_t j) {
        return j >= line.size() || is_space(line[j]);
    };
    for (;;) {
        while (i < line.size() && is_space(line[i])) {
            ++i;
        }
        if (i == line.size()) {
            return words;
        }
        // One word. Quotes may start anywhere in it: a"b c" is the single word `ab c`.
        std::string word;
        enum { plain, in_double, in_single } state = plain;
        for (;;) {
            if (state == plain) {
                if (at_end_or_space(i)) {
                    break;
                }
                const char c = line[i++];
                if (c == '"') {
                    state = in_double;
                } else if (c == '\'') {
                    state = in_single;
                } else {
                    word += c;
                }
                continue;
            }
            if (i == line.size()) {
                return std::nullopt;  // the line ended inside quotes
            }
            const char c = line[i];
            if (state == in_double && c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' &&
                hex_value(line[i + 2]) >= 0 && hex_value(line[i + 3]) >= 0) {
                word += static_cast<char>(hex_value(line[i + 2]) * 16 + hex_value(line[i + 3]));
                i += 4;
            } else if (state == in_double && c == '\\' && i + 1 < line.size()) {
                word += unescape(line[i + 1]);
                i += 2;
            } else if (state == in_single && c == '\\' && i + 1 < line.size() &&
                       line[i + 1] == '\'') {
                word += '\'';
                i += 2;
            } else if ((state == in_double && c == '"') || (state == in_single && c == '\'')) {
                if (!at_end_or_space(i + 1)) {
                    return std::nullopt;  // "a"b: a closing quote must end the word
                }
                ++i;
                break;
            } else {
                word += c;
                ++i;
            }
        }
        words.push_back(std::move(word));
    }
}

}  // namespace mini_redis
