// The RESP2 encoder: Frame -> bytes. Book: chapter 02, "Encoding".
#include "frame.hpp"

#include "mini_redis/exercise.hpp"

#include <fmt/format.h>

namespace mini_redis {

// [book: encode]
void encode(const Frame& frame, std::string& out)
{
    // EXERCISE 02.6: Encode every kind of frame
    //
    // Append the wire bytes of `frame` to `out`: "+text\r\n", "-message\r\n", ":42\r\n",
    // "$5\r\nhello\r\n", "$-1\r\n" for null, and "*N\r\n" followed by each element encoded in
    // turn.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.6
    mini_redis::unused(frame, out);
    mini_redis::todo("02.6", "book/02-framing.md#exercise-026-encoding");
    // END EXERCISE 02.6
}
// [end book: encode]

std::string encode(const Frame& frame)
{
    std::string out;
    encode(frame, out);
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
