// Chapter 02: what a frame still arriving makes the parser hold. A peer decides how many elements
// an array claims and how slowly they come; until the frame is whole, the parser must hold no
// more than the bytes themselves (which the connection's buffer limit bounds). Exercises 02.3 to
// 02.5: the first pass copies nothing, the second allocates each array once.
#include "parser.hpp"

#include "mini_redis/testing/allocations.hpp"
#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <string>

using mini_redis::Frame;
using mini_redis::Parser;
using mini_redis::testing::allocated_bytes;

namespace {

/// One bulk string of 20 bytes: too long for std::string's inline buffer, so keeping a copy of
/// it would allocate.
const std::string element = "$20\r\n01234567890123456789\r\n";

/// Feeds an array of `elements` + 1 copies of `item` one element at a time, and returns the
/// bytes the parser allocated while the first `elements` arrived.
std::size_t allocated_while_arriving(const std::string& item, int elements)
{
    std::string input = "*" + std::to_string(elements + 1) + "\r\n";
    input.reserve(input.size() + (elements + 1) * item.size());
    Parser parser;
    const std::size_t before = allocated_bytes();
    for (int i = 0; i < elements; ++i) {
        input += item;
        REQUIRE(parser.parse(input).status == Parser::Status::needs_more);
    }
    const std::size_t used = allocated_bytes() - before;
    input += item;
    REQUIRE(parser.parse(input).status == Parser::Status::frame);
    return used;
}

}  // namespace

TEST_CASE("simple strings and errors still arriving are checked, not copied", "[ch02][ex02.4]")
{
    // The first pass only needs each item's length: a copy of its text, made and thrown away,
    // would cost an allocation per element (and, for a whole array, a copy of all of it).
    const std::size_t simple = allocated_while_arriving("+01234567890123456789\r\n", 10'000);
    CHECK(simple < 1024);
    const std::size_t error = allocated_while_arriving("-ERR 01234567890123456789\r\n", 10'000);
    CHECK(error < 1024);
}

TEST_CASE("an array still arriving costs nothing but its bytes, however many elements came",
          "[ch02][ex02.5]")
{
    constexpr int elements = 100'000;
    std::string input = "*" + std::to_string(elements + 1) + "\r\n";
    input.reserve(input.size() + (elements + 1) * element.size());
    Parser parser;
    const std::size_t before = allocated_bytes();
    for (int i = 0; i < elements; ++i) {
        input += element;
        REQUIRE(parser.parse(input).status == Parser::Status::needs_more);
    }
    // The elements are checked as they come, but not copied: 2.7 MB of them, a few bytes kept.
    CHECK(allocated_bytes() - before < 1024);

    input += element;  // the last one: now the frame is whole, and built
    const auto result = parser.parse(input);
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(result.consumed == input.size());
    const auto* items = std::get_if<Frame::Array>(&result.frame.value);
    REQUIRE(items != nullptr);
    CHECK(items->size() == elements + 1);
    CHECK(items->back() == Frame::bulk("01234567890123456789"));
}

TEST_CASE("a finished array is built at its exact size, without growing on the way",
          "[ch02][ex02.3]")
{
    // The element count is only believed once every element has arrived; then it is safe to
    // allocate the array once, at its size, instead of doubling it as the elements come.
    constexpr int elements = 1000;
    std::string input = "*" + std::to_string(elements) + "\r\n";
    for (int i = 0; i < elements; ++i) {
        input += ":1\r\n";
    }
    Parser parser;
    const std::size_t before = allocated_bytes();
    const auto result = parser.parse(input);
    const std::size_t used = allocated_bytes() - before;
    REQUIRE(result.status == Parser::Status::frame);
    CHECK(used <= elements * sizeof(Frame) + 1024);
}
