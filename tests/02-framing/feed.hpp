// Test helper for chapter 02: feeds bytes to a Parser in pieces, as a network would.
#pragma once

#include "parser.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace ch02_test {

/// What came out of feeding a byte stream to a parser.
struct Fed {
    std::vector<mini_redis::Frame> frames;
    std::string error;          // the first protocol error, if any
    std::size_t left_over = 0;  // bytes received but not part of any frame
};

/// Appends `input` to a buffer `step` bytes at a time and, after each piece, takes every frame
/// the parser finds, the way Connection does. step = 1 is the harshest: every frame arrives
/// split at every possible point.
inline Fed feed(std::string_view input, std::size_t step, mini_redis::ParserLimits limits = {})
{
    using mini_redis::Parser;
    Parser parser(limits);
    Fed fed;
    std::string buffer;
    for (std::size_t at = 0; at < input.size(); at += step) {
        buffer.append(input.substr(at, step));
        for (;;) {
            auto result = parser.parse(buffer);
            if (result.status == Parser::Status::needs_more) {
                break;
            }
            if (result.status == Parser::Status::error) {
                fed.error = result.error;
                return fed;
            }
            buffer.erase(0, result.consumed);
            fed.frames.push_back(std::move(result.frame));
        }
    }
    fed.left_over = buffer.size();
    return fed;
}

/// Parses `input` whole, then in every piece size from 1 to 7 bytes, and checks all agree;
/// returns the whole-input result.
inline Fed feed_all_ways(std::string_view input, mini_redis::ParserLimits limits = {})
{
    Fed whole = feed(input, std::max<std::size_t>(input.size(), 1), limits);
    for (std::size_t step = 1; step <= 7; ++step) {
        Fed pieces = feed(input, step, limits);
        if (pieces.frames != whole.frames || pieces.error != whole.error) {
            whole.error =
                "feeding " + std::to_string(step) + " bytes at a time gave another result";
        }
    }
    return whole;
}

}  // namespace ch02_test
