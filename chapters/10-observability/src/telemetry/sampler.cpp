// The sampler: see sampler.hpp. How a ratio of traces is kept with no coordination at all:
// every process computes the same answer from the trace id. Book: chapter 10, "Sampling".
#include "telemetry/sampler.hpp"

#include "mini_redis/exercise.hpp"

#include <cstdint>

namespace mini_redis::telemetry {

bool Sampler::should_sample(const TraceId& trace) const
{
    // EXERCISE 10.2: Decide from the trace id
    //
    // Decide whether a new trace is recorded. always_on: yes; always_off: no; trace_id_ratio:
    // read the id's last 8 bytes as one big-endian unsigned number and keep the trace when it
    // is below ratio * 2^64. A ratio of 1 or more keeps every trace, 0 (or less, or NaN) none.
    //
    // Check: ./workbook test 10   Stuck? ./workbook hint 10.2
    mini_redis::unused(trace);
    mini_redis::todo("10.2", "book/10-observability.md#exercise-102-the-ratio-sampler");
    // END EXERCISE 10.2
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
