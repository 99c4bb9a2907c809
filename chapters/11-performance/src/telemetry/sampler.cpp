// The sampler: see sampler.hpp. How a ratio of traces is kept with no coordination at all:
// every process computes the same answer from the trace id. Book: chapter 10, "Sampling".
#include "telemetry/sampler.hpp"

#include <cstdint>

namespace mini_redis::telemetry {

bool Sampler::should_sample(const TraceId& trace) const
{
    // parent_based changes nothing here: it only means "a span with a parent follows the
    // parent", and every span this server starts is a root, decided by its own kind below.
    switch (kind) {
    case Kind::always_on:
        return true;
    case Kind::always_off:
        return false;
    case Kind::trace_id_ratio:
        break;
    }

    // The ends first, exactly: 1.0 * 2^64 does not fit in 64 bits, and "never" must be never.
    if (ratio >= 1.0) {
        return true;
    }
    if (!(ratio > 0.0)) {  // also catches a NaN, which compares false with everything
        return false;
    }

    // The id's last 8 bytes, read as one big-endian number: uniformly random, so it falls
    // below ratio * 2^64 for a share `ratio` of all ids. Any process that sees this trace id
    // computes the same number and makes the same decision.
    std::uint64_t value = 0;
    for (std::size_t i = 8; i < 16; ++i) {
        value = (value << 8) | trace.bytes[i];
    }
    // Multiplying by a power of two is exact in floating point, and ratio < 1 here, so the
    // bound is below 2^64 and converts to an integer without overflow.
    const double two_to_the_64 = 18446744073709551616.0;
    const auto bound = static_cast<std::uint64_t>(ratio * two_to_the_64);
    return value < bound;
}

std::string Sampler::name() const
{
    std::string root;
    switch (kind) {
    case Kind::always_on:
        root = "always_on";
        break;
    case Kind::always_off:
        root = "always_off";
        break;
    case Kind::trace_id_ratio:
        root = "traceidratio";
        break;
    }
    return parent_based ? "parentbased_" + root : root;
}

}  // namespace mini_redis::telemetry
