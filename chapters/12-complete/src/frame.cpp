// The RESP2 encoder: Frame -> bytes. Book: chapter 02, "Encoding".
#include "frame.hpp"

#include <fmt/format.h>

namespace mini_redis {

void encode(const Frame& frame, std::string& out)
{
    // std::visit calls the lambda with the alternative the variant holds; `if constexpr` picks
    // the branch for that type at compile time, so each branch sees the right member.
    std::visit(
        [&out](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Frame::Simple>) {
                fmt::format_to(std::back_inserter(out), "+{}\r\n", value.text);
            } else if constexpr (std::is_same_v<T, Frame::Error>) {
                fmt::format_to(std::back_inserter(out), "-{}\r\n", value.message);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                fmt::format_to(std::back_inserter(out), ":{}\r\n", value);
            } else if constexpr (std::is_same_v<T, Frame::Bulk>) {
                // The length goes first, so the reader knows how many bytes to take without
                // looking inside them: that is what makes bulk strings binary-safe.
                fmt::format_to(std::back_inserter(out), "${}\r\n", value.bytes.size());
                out += value.bytes;
                out += "\r\n";
            } else if constexpr (std::is_same_v<T, Frame::Null>) {
                out += "$-1\r\n";
            } else {
                fmt::format_to(std::back_inserter(out), "*{}\r\n", value.size());
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
    return encode(Frame::array({Frame::bulk("message"), Frame::bulk(std::string(channel)),
                                Frame::bulk(std::string(message))}));
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
