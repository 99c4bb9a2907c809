// The sampler: which traces are recorded at all.
//
// A busy server runs a hundred thousand commands a second; recording each costs memory, CPU
// and bandwidth that a tenth of them might answer as well. OpenTelemetry decides once, when a
// trace starts, from the trace id alone, so every process that sees the same trace decides the
// same way without talking to the others. Book: chapter 10, "Sampling".
#pragma once

#include "telemetry/ids.hpp"

#include <string>

namespace mini_redis::telemetry {

/// OTEL_TRACES_SAMPLER's choices that need no remote service: always_on, always_off and
/// traceidratio, alone or parent-based (a span with a parent follows its parent's decision;
/// only root spans are decided here: ours are all roots, see tracer.hpp).
struct Sampler {
    enum class Kind { always_on, always_off, trace_id_ratio };
    Kind kind = Kind::always_on;
    double ratio = 1.0;        // for trace_id_ratio: the share of traces kept, 0 to 1
    bool parent_based = true;  // OpenTelemetry's default is parentbased_always_on

    /// Whether a new root span of trace `trace` is recorded. For trace_id_ratio, the decision is
    /// a function of the id's last 8 bytes, so it is the same wherever it is made, and the
    /// share of ids kept is `ratio` (the ids are uniformly random).
    bool should_sample(const TraceId& trace) const;

    /// The name OTEL_TRACES_SAMPLER gives it, e.g. "parentbased_traceidratio".
    std::string name() const;
};

}  // namespace mini_redis::telemetry
