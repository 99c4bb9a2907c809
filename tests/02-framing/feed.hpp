// Test helper for chapter 02: feeds bytes to a Parser in pieces, as a network would.
//
// When an assertion about the result fails, Catch2 shows with it what was fed and how: the input
// (escaped, with a '|' where one piece ended and the next began) and what came out, the error's
// text and the byte it came at included. The note is a Catch2 message (as INFO makes) that the
// result carries: it goes with every assertion made while the result lives.
#pragma once

#include "parser.hpp"

#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ch02_test {

/// What came out of feeding a byte stream to a parser.
struct Fed {
    std::vector<mini_redis::Frame> frames;
    std::string error;          // the first protocol error, if any
    std::size_t left_over = 0;  // bytes received but not part of any frame
    std::size_t received = 0;   // bytes handed to the parser when it stopped (at the error)
    std::shared_ptr<const Catch::ScopedMessage> note;  // what was fed, for a failure message
};

/// A message every assertion shows while the returned object lives (INFO, for a helper).
inline std::shared_ptr<const Catch::ScopedMessage> note(std::string text)
{
    return std::make_shared<const Catch::ScopedMessage>(
        Catch::MessageBuilder("INFO", CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info) << text);
}

/// `input` escaped, with a '|' after every `step` bytes (none when it came whole), up to the
/// byte `upto`: what the parser had seen.
inline std::string show_pieces(std::string_view input, std::size_t step, std::size_t upto)
{
    constexpr std::size_t shown = 200;
    std::string out = "\"";
    const std::size_t end = std::min({input.size(), upto, shown});
    for (std::size_t at = 0; at < end; at += step) {
        out += (at > 0 ? "|" : "") +
               mini_redis::testing::escape_bytes(input.substr(at, std::min(step, end - at)));
    }
    out += '"';
    if (input.size() > end) {
        out += " and " + std::to_string(input.size() - end) + " bytes more";
    }
    return out;
}

/// One line saying what feeding `input` in pieces of `step` bytes gave, for a failure message.
inline std::string describe(const Fed& fed, std::string_view input, std::size_t step)
{
    std::string out =
        step >= input.size() ? "fed whole: " : "fed " + std::to_string(step) + " bytes at a time: ";
    out += show_pieces(input, std::max<std::size_t>(step, 1), fed.received);
    out += "\n  gave " + std::to_string(fed.frames.size()) + " frame(s)";
    if (!fed.error.empty()) {
        out += ", then the error \"" + fed.error + "\" once " + std::to_string(fed.received) +
               " bytes had arrived";
    } else if (fed.left_over > 0) {
        out += ", and " + std::to_string(fed.left_over) + " bytes left waiting for more";
    }
    return out;
}

/// Appends `input` to a buffer `step` bytes at a time and, after each piece, takes every frame
/// the parser finds, the way Connection does. step = 1 is the harshest: every frame arrives
/// split at every possible point. Quiet: feed() below also notes what happened for a failure.
inline Fed feed_quietly(std::string_view input, std::size_t step,
                        mini_redis::ParserLimits limits = {})
{
    using mini_redis::Parser;
    Parser parser(limits);
    Fed fed;
    std::string buffer;
    for (std::size_t at = 0; at < input.size(); at += step) {
        buffer.append(input.substr(at, step));
        fed.received = std::min(input.size(), at + step);
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

/// feed_quietly(), and while the result lives, a failure message says what was fed and what came
/// out.
inline Fed feed(std::string_view input, std::size_t step, mini_redis::ParserLimits limits = {})
{
    Fed fed = feed_quietly(input, step, limits);
    fed.note = note(describe(fed, input, step));
    return fed;
}

/// Parses `input` whole, then in every piece size from 1 to 7 bytes, and checks all agree;
/// returns the whole-input result. When a split gives another result, `error` says so, and the
/// failure message shows both the whole result and the split's.
inline Fed feed_all_ways(std::string_view input, mini_redis::ParserLimits limits = {})
{
    const std::size_t whole_step = std::max<std::size_t>(input.size(), 1);
    Fed whole = feed_quietly(input, whole_step, limits);
    std::string text = describe(whole, input, whole_step);
    for (std::size_t step = 1; step <= 7; ++step) {
        Fed pieces = feed_quietly(input, step, limits);
        if (pieces.frames != whole.frames || pieces.error != whole.error) {
            text += "\n" + describe(pieces, input, step);
            if (!pieces.frames.empty() || !whole.frames.empty()) {
                text += "\n  frames fed whole: " + Catch::Detail::stringify(whole.frames) +
                        "\n  frames in pieces: " + Catch::Detail::stringify(pieces.frames);
            }
            whole.error =
                "feeding " + std::to_string(step) + " bytes at a time gave another result";
            break;
        }
    }
    whole.note = ch02_test::note(std::move(text));
    return whole;
}

}  // namespace ch02_test
