// The RESP2 encoder: Frame -> bytes. Book: chapter 02, "Encoding"; chapter 11, "Numbers without
// a format string".
#include "frame.hpp"

#include <fmt/format.h>

#include <charconv>

namespace mini_redis {
namespace {

/// Appends a frame's first line: the type byte, a number in decimal, CRLF. Every integer reply
/// and every bulk and array header is one of these, so this runs once or more per reply.
void append_header(std::string& out, char type, std::int64_t number)
{
    // 20 characters hold any int64_t, the sign of the most negative one included. std::to_chars
    // writes the digits into them and returns where it stopped: no locale, no allocation, no
    // format string to interpret at run time.
    char digits[20];
    const auto written = std::to_chars(digits, digits + sizeof digits, number);
    out += type;
    out.append(digits, written.ptr);
    out += "\r\n";
}

/// Appends a line frame: the type byte, the text, CRLF (simple strings and errors).
void append_line(std::string& out, char type, std::string_view text)
{
    out += type;
    out += text;
    out += "\r\n";
}

}  // namespace

void encode(const Frame& frame, std::string& out)
{
    // std::visit calls the lambda with the alternative the variant holds; `if constexpr` picks
    // the branch for that type at compile time, so each branch sees the right member.
    std::visit(
        [&out](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Frame::Simple>) {
                append_line(out, '+', value.text);
            } else if constexpr (std::is_same_v<T, Frame::Error>) {
                append_line(out, '-', value.message);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                append_header(out, ':', value);
            } else if constexpr (std::is_same_v<T, Frame::Bulk>) {
                // The length goes first, so the reader knows how many bytes to take without
                // looking inside them: that is what makes bulk strings binary-safe.
                append_header(out, '$', static_cast<std::int64_t>(value.bytes.size()));
                out += value.bytes;
                out += "\r\n";
            } else if constexpr (std::is_same_v<T, Frame::Null>) {
                out += "$-1\r\n";
            } else {
                append_header(out, '*', static_cast<std::int64_t>(value.size()));
                for (const Frame& item : value) {
                    encode(item, out);  // each element is a whole frame of its own
                }
            }
        },
        frame.value);
}

std::string encode(const Frame& frame)
{
    std::string out;
    encode(frame, out);
    return out;
}

std::string message_push(std::string_view channel, std::string_view message)
{
    // Written straight out, not through a Frame: that would copy the channel and the message
    // into one, only to copy them again here. Every PUBLISH makes one of these.
    std::string out;
    out.reserve(40 + channel.size() + message.size());
    out += "*3\r\n$7\r\nmessage\r\n";
    append_header(out, '$', static_cast<std::int64_t>(channel.size()));
    out += channel;
    out += "\r\n";
    append_header(out, '$', static_cast<std::int64_t>(message.size()));
    out += message;
    out += "\r\n";
    return out;
}

std::string describe(const Frame& frame)
{
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Frame::Simple>) {
                return value.text;
            } else if constexpr (std::is_same_v<T, Frame::Error>) {
                return "(error) " + value.message;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(value);
            } else if constexpr (std::is_same_v<T, Frame::Bulk>) {
                return fmt::format("{:?}", value.bytes);
            } else if constexpr (std::is_same_v<T, Frame::Null>) {
                return "(nil)";
            } else {
                std::string out = "[";
                for (const Frame& item : value) {
                    out += (out.size() > 1 ? ", " : "") + describe(item);
                }
                return out + "]";
            }
        },
        frame.value);
}

}  // namespace mini_redis
