// Trace and span ids: see ids.hpp. How to draw ids that no other process will draw, without
// asking anyone and without a lock. Book: chapter 10, "Spans and traces".
#include "telemetry/ids.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <random>

namespace mini_redis::telemetry {

namespace {
namespace id_drawing {  // a name of its own: a unity build puts this file next to others

/// This thread's random generator, made the first time the thread asks for an id.
///
/// Why one per thread: a generator's state changes with every draw, so one shared generator
/// would need a mutex, and every session on every thread would queue on it for each span.
/// thread_local gives each thread its own, so drawing an id is a few arithmetic instructions.
///
/// Why seeded with 256 bits: ids must differ across processes that never talk to each other.
/// Seeded with one 64-bit number, two of a few billion threads would likely start alike; eight
/// words from random_device (the kernel's entropy) make that as unlikely as a collision of
/// the ids themselves. mt19937_64 is not a cryptographic generator: an id is a name, not a
/// secret, and the W3C Trace Context asks only that it be unique.
std::mt19937_64& generator()
{
    thread_local std::mt19937_64 engine = [] {
        std::random_device entropy;
        std::array<std::random_device::result_type, 8> words{};
        std::generate(words.begin(), words.end(), std::ref(entropy));
        std::seed_seq seed(words.begin(), words.end());
        return std::mt19937_64(seed);
    }();
    return engine;
}

/// Fills `bytes[from..]` with random bytes, eight at a time from one 64-bit draw. The order in
/// which a draw's bytes land does not matter (they are all random), so each is copied as it
/// lies in memory: a command pays for this whenever tracing is on, sampled or not.
template <std::size_t N>
void fill_random(std::array<std::uint8_t, N>& bytes, std::size_t from = 0)
{
    auto& engine = generator();
    for (std::size_t i = from; i < N; i += 8) {
        const std::uint64_t word = engine();
        std::memcpy(bytes.data() + i, &word, std::min<std::size_t>(8, N - i));
    }
}

/// Whether every byte is zero: the id that means "none", which a new id must never be.
template <std::size_t N>
bool all_zero(const std::array<std::uint8_t, N>& bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

/// Appends two lower-case hex digits per byte, most significant nibble first: "0a" for 10.
/// The string grows once, then the digits are written in place: the exporter writes four ids
/// for a command's span (its own two, its link's two), and appending one character at a time
/// checks the capacity for each.
template <std::size_t N>
void append_hex(const std::array<std::uint8_t, N>& bytes, std::string& text)
{
    static constexpr char digits[] = "0123456789abcdef";
    const std::size_t at = text.size();
    text.resize(at + 2 * N);
    char* out = text.data() + at;
    for (std::uint8_t b : bytes) {
        *out++ = digits[b >> 4];
        *out++ = digits[b & 0x0f];
    }
}

}  // namespace id_drawing
}  // namespace

bool TraceId::valid() const
{
    return !id_drawing::all_zero(bytes);
}

std::string TraceId::hex() const
{
    std::string text;
    text.reserve(2 * bytes.size());
    id_drawing::append_hex(bytes, text);
    return text;
}

void TraceId::append_hex(std::string& out) const
{
    id_drawing::append_hex(bytes, out);
}

bool SpanId::valid() const
{
    return !id_drawing::all_zero(bytes);
}

std::string SpanId::hex() const
{
    std::string text;
    text.reserve(2 * bytes.size());
    id_drawing::append_hex(bytes, text);
    return text;
}

void SpanId::append_hex(std::string& out) const
{
    id_drawing::append_hex(bytes, out);
}

TraceId new_trace_id(IdFormat format, std::chrono::system_clock::time_point now)
{
    TraceId id;
    // All zero would mean "no trace"; the chance is 2^-128 (2^-96 for X-Ray), but a loop costs
    // nothing and makes "never" true rather than merely likely.
    do {
        if (format == IdFormat::xray) {
            // X-Ray reads the first 4 bytes as the trace's start, seconds since the epoch,
            // big-endian (most significant byte first, as it reads the hex left to right).
            // The cast keeps the low 32 bits, as X-Ray does; they last until 2106.
            const auto seconds = static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
            id.bytes[0] = static_cast<std::uint8_t>(seconds >> 24);
            id.bytes[1] = static_cast<std::uint8_t>(seconds >> 16);
            id.bytes[2] = static_cast<std::uint8_t>(seconds >> 8);
            id.bytes[3] = static_cast<std::uint8_t>(seconds);
            id_drawing::fill_random(id.bytes, 4);
        } else {
            id_drawing::fill_random(id.bytes);
        }
    } while (!id.valid());
    return id;
}

SpanId new_span_id()
{
    SpanId id;
    do {
        id_drawing::fill_random(id.bytes);
    } while (!id.valid());
    return id;
}

}  // namespace mini_redis::telemetry
