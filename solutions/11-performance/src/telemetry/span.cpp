// A span's record: see span.hpp. Book: chapter 10, "Spans and traces".
#include "telemetry/span.hpp"

#include <chrono>
#include <limits>

namespace mini_redis::telemetry {

void SpanData::add_event(Event event)
{
    if (events.size() < max_events) {
        events.push_back(std::move(event));
        return;
    }
    // Past the limit the event is only counted, so a backend can say "and N more". The count
    // stops at its largest value rather than wrapping round to a small, wrong number.
    if (dropped_events_count < std::numeric_limits<std::uint32_t>::max()) {
        ++dropped_events_count;
    }
}

std::uint64_t now_unix_nano()
{
    // system_clock's epoch is the Unix epoch (guaranteed since C++20), so its time since the
    // epoch is what OTLP wants; only the unit needs converting.
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

}  // namespace mini_redis::telemetry
