// How a failed assertion prints a Frame: RESP-like and readable, instead of Catch2's `{?}`.
//
// Include it in a test file that compares Frames (or vectors of them) with CHECK or REQUIRE:
//   CHECK(fed.frames == std::vector{Frame::simple("OK"), Frame::bulk("hello")})
// then fails with
//   { +OK, $4 "helo" } == { +OK, $5 "hello" }
// Each kind prints as its type byte and value: `+OK`, `-ERR no`, `:42`, `$5 "hello"` (bytes
// quoted and escaped, so \r\n, NUL and binary bytes show), `$-1` for the null, and an array as
// its count and its elements, nested: `*2 [$3 "GET", *1 [:1]]`. A long bulk string shows its
// first 200 bytes and its length, a long array its first 20 elements and its count.
//
// Header-only, and it includes the chapter's own frame.hpp through the test binary's include
// path: every chapter from 02 on has one, with the same Frame.
#pragma once

#include "frame.hpp"

#include "mini_redis/testing/escape_bytes.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace mini_redis::testing {

/// `bytes` double-quoted and escaped (escape_bytes); when longer than `limit`, the total length
/// follows, e.g. `"abc..." (3145728 bytes)`.
inline std::string quote_bytes(std::string_view bytes, std::size_t limit = 200)
{
    std::string out = "\"" + escape_bytes(bytes, limit) + "\"";
    if (bytes.size() > limit) {
        out += fmt::format(" ({} bytes)", bytes.size());
    }
    return out;
}

/// One frame, as a test failure shows it (see the file comment).
inline std::string print_frame(const Frame& frame)
{
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Frame::Simple>) {
                return "+" + escape_bytes(value.text);
            } else if constexpr (std::is_same_v<T, Frame::Error>) {
                return "-" + escape_bytes(value.message);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return fmt::format(":{}", value);
            } else if constexpr (std::is_same_v<T, Frame::Bulk>) {
                // The length leads, so a truncated string needs no note of it.
                return fmt::format("${} \"{}\"", value.bytes.size(), escape_bytes(value.bytes));
            } else if constexpr (std::is_same_v<T, Frame::Null>) {
                return "$-1";
            } else {
                constexpr std::size_t shown_elements = 20;
                std::string out = fmt::format("*{} [", value.size());
                for (std::size_t i = 0; i < value.size() && i < shown_elements; ++i) {
                    out += (i > 0 ? ", " : "") + print_frame(value[i]);
                }
                if (value.size() > shown_elements) {
                    out += fmt::format(", ... {} more", value.size() - shown_elements);
                }
                return out + "]";
            }
        },
        frame.value);
}

}  // namespace mini_redis::testing

namespace Catch {

template <>
struct StringMaker<mini_redis::Frame> {
    static std::string convert(const mini_redis::Frame& frame)
    {
        return mini_redis::testing::print_frame(frame);
    }
};

}  // namespace Catch
