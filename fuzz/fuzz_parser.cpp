// libFuzzer target for the RESP parser: any bytes, in any pieces, must give frames or a
// protocol error, never a crash, a hang, a read out of bounds or undefined behaviour.
//
// It also checks two properties a correct parser has, in both syntaxes (frames, and client
// requests with inline commands):
// - feeding the input in pieces (the split points come from the input itself) gives the same
//   frames and the same error as feeding it whole;
// - every frame it returns encodes to bytes that parse back to the same frame.
#include "frame.hpp"
#include "parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using mini_redis::Frame;
using mini_redis::Parser;

struct Outcome {
    std::vector<Frame> frames;
    std::string error;
};

Outcome run(std::string_view input, std::size_t step, const mini_redis::ParserLimits& limits,
            mini_redis::Syntax syntax)
{
    Parser parser(limits, syntax);
    Outcome outcome;
    std::string buffer;
    for (std::size_t at = 0; at < input.size(); at += step) {
        buffer.append(input.substr(at, step));
        for (;;) {
            auto result = parser.parse(buffer);
            if (result.status == Parser::Status::needs_more) {
                break;
            }
            if (result.status == Parser::Status::error) {
                outcome.error = result.error;
                return outcome;
            }
            if (result.consumed == 0 || result.consumed > buffer.size()) {
                std::abort();  // a frame must consume bytes, and only bytes it was given
            }
            buffer.erase(0, result.consumed);
            outcome.frames.push_back(std::move(result.frame));
        }
    }
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    // The first byte chooses the piece size, small limits (so limit paths get fuzzed too) and
    // the syntax: any frame, or client requests (inline commands included).
    const std::size_t step = 1 + data[0] % 16;
    const auto syntax = data[0] & 0x80 ? mini_redis::Syntax::requests : mini_redis::Syntax::frames;
    mini_redis::ParserLimits limits;
    limits.max_bulk_length = 1 << 20;
    limits.max_depth = 1 + data[0] % 8;
    limits.max_line_length = 64 + data[0];
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    const Outcome whole = run(input, input.size() + 1, limits, syntax);
    const Outcome pieces = run(input, step, limits, syntax);
    if (whole.frames != pieces.frames || whole.error != pieces.error) {
        std::abort();
    }
    for (const Frame& frame : whole.frames) {
        const Outcome again = run(mini_redis::encode(frame), 1 << 30, limits, syntax);
        // A line never contains \r\n (the parser splits there), so even simple strings with a
        // lone \r or \n in them survive the trip.
        if (!again.error.empty() || again.frames.size() != 1 || !(again.frames[0] == frame)) {
            std::abort();
        }
    }
    return 0;
}
