// Log lines that carry the active span's ids: see log_correlation.hpp. Book: chapter 10, "Logs
// that point at traces".
#include "telemetry/log_correlation.hpp"

#include "mini_redis/logging.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <iterator>
#include <memory>
#include <string>

namespace mini_redis::telemetry {

namespace {

/// One per thread: a session sets it while it runs a command on this thread, and the log
/// formatter, running on the same thread inside spdlog::info(), reads it. No lock is needed,
/// because no other thread ever sees it.
// [book: span-ids-flag]
thread_local const SpanData* active = nullptr;

/// spdlog's hook for a pattern letter of our own (%& below): writes the active span's ids,
/// under the names OpenTelemetry gives them in logs, or nothing when no span is active.
class SpanIdsFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& out) override
    {
        // EXERCISE 10.6: Write the active span's ids
        //
        // Append " trace_id=<32 hex digits> span_id=<16 hex digits>" to `out` when a span is
        // active on this thread (`active` is not null); append nothing otherwise.
        //
        // Check: ./workbook test 10   Stuck? ./workbook hint 10.6
        mini_redis::unused(out);
        mini_redis::todo("10.6", "book/10-observability.md#exercise-106-span-ids-in-the-log");
        // END EXERCISE 10.6
    }

    std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<SpanIdsFlag>();
    }
};
// [end book: span-ids-flag]

}  // namespace

ActiveSpan::ActiveSpan(const SpanData* span) : previous_(active)
{
    active = span;
}

ActiveSpan::~ActiveSpan()
{
    active = previous_;
}

const SpanData* active_span()
{
    return active;
}

void correlate_logs()
{
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SpanIdsFlag>('&').set_pattern(std::string(log_pattern) + "%&");
    spdlog::set_formatter(std::move(formatter));
}

}  // namespace mini_redis::telemetry
