// Log capture for tests: see log_capture.hpp.
#include "mini_redis/testing/log_capture.hpp"

#include "mini_redis/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <memory>
#include <mutex>

namespace mini_redis::testing {
namespace {

/// Keeps the last `capacity` formatted lines. base_sink locks its mutex around sink_it_ and
/// flush_; clear() and lines() take the same mutex.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    void clear()
    {
        std::lock_guard lock(mutex_);
        lines_.clear();
    }

    std::string lines()
    {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& line : lines_) {
            out += line;
        }
        return out;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& message) override
    {
        spdlog::memory_buf_t formatted;
        formatter_->format(message, formatted);
        lines_.emplace_back(formatted.data(), formatted.size());
        if (lines_.size() > capacity) {
            lines_.pop_front();
        }
    }

    void flush_() override {}

private:
    static constexpr std::size_t capacity = 20;
    std::deque<std::string> lines_;
};

std::shared_ptr<CaptureSink>& capture()
{
    static auto sink = std::make_shared<CaptureSink>();
    return sink;
}

}  // namespace

void install_log_capture()
{
    static std::once_flag once;
    std::call_once(once, [] {
        auto logger = std::make_shared<spdlog::logger>(
            "test", spdlog::sinks_init_list{std::make_shared<spdlog::sinks::stderr_color_sink_mt>(),
                                            capture()});
        spdlog::set_default_logger(std::move(logger));
        init_logging();
    });
}

void clear_log()
{
    capture()->clear();
}

std::string recent_log()
{
    return capture()->lines();
}

}  // namespace mini_redis::testing
