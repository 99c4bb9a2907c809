// Printing replies like redis-cli: see reply_format.hpp. Book: chapter 09, "The command-line
// client".
#include "client/reply_format.hpp"

#include <fmt/format.h>

#include <string>
#include <variant>

namespace mini_redis::client {
namespace {

/// Appends `reply` to `out`. `indent` is the width of the "N) " prefixes already on the line,
/// so that the lines of a nested array line up under its first element, as redis-cli's do.
void append_reply(const Frame& reply, OutputStyle style, std::size_t indent, std::string& out)
{
    std::visit(
        [&](const auto& value) {
            using Kind = std::decay_t<decltype(value)>;
            const bool terminal = style == OutputStyle::terminal;
            if constexpr (std::is_same_v<Kind, Frame::Simple>) {
                out += value.text;
            } else if constexpr (std::is_same_v<Kind, Frame::Error>) {
                out += "(error) " + value.message;
            } else if constexpr (std::is_same_v<Kind, std::int64_t>) {
                out += terminal ? fmt::format("(integer) {}", value) : std::to_string(value);
            } else if constexpr (std::is_same_v<Kind, Frame::Bulk>) {
                out += terminal ? quote(value.bytes) : value.bytes;
            } else if constexpr (std::is_same_v<Kind, Frame::Null>) {
                out += terminal ? "(nil)" : "";
            } else {
                if (value.empty()) {
                    out += terminal ? "(empty array)" : "";
                    return;
                }
                // "1) ", "2) ", ... padded to the widest number, like redis-cli.
                const auto width = std::to_string(value.size()).size();
                for (std::size_t i = 0; i < value.size(); ++i) {
                    if (i > 0) {
                        out += '\n';
                        out.append(terminal ? indent : 0, ' ');
                    }
                    if (terminal) {
                        out += fmt::format("{:>{}}) ", i + 1, width);
                    }
                    append_reply(value[i], style, indent + width + 2, out);
                }
            }
        },
        reply.value);
}

}  // namespace

std::string quote(std::string_view bytes)
{
    std::string out = "\"";
    for (const unsigned char c : bytes) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\a':
            out += "\\a";
            break;
        case '\b':
            out += "\\b";
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);  // printable ASCII, as it is
            } else {
                out += fmt::format("\\x{:02x}", c);
            }
        }
    }
    out += '"';
    return out;
}

std::string format_reply(const Frame& reply, OutputStyle style)
{
    std::string out;
    append_reply(reply, style, 0, out);
    return out;
}

}  // namespace mini_redis::client
