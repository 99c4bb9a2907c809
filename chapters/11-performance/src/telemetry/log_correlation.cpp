// Log lines that carry the active span's ids: see log_correlation.hpp. Book: chapter 10, "Logs
// that point at traces".
#include "telemetry/log_correlation.hpp"

#include "mini_redis/logging.hpp"

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
thread_local const SpanData* active = nullptr;

/// spdlog's hook for a pattern letter of our own (%& below): writes the active span's ids,
/// under the names OpenTelemetry gives them in logs, or nothing when no span is active.
class SpanIdsFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& out) override
    {
        if (active != nullptr) {
            const std::string ids =
                " trace_id=" + active->trace_id.hex() + " span_id=" + active->span_id.hex();
            out.append(ids.data(), ids.data() + ids.size());
        }
    }

    std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<SpanIdsFlag>();
    }
};

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
