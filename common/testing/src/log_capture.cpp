// Log capture for tests: see log_capture.hpp.
#include "mini_redis/testing/log_capture.hpp"

#include "mini_redis/logging.hpp"

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace mini_redis::testing {
namespace {

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt>& ring()
{
    static auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(40);
    return sink;
}

}  // namespace

void install_log_capture()
{
    static std::once_flag once;
    std::call_once(once, [] {
        auto logger = std::make_shared<spdlog::logger>(
            "test", spdlog::sinks_init_list{std::make_shared<spdlog::sinks::stderr_color_sink_mt>(),
                                            ring()});
        spdlog::set_default_logger(std::move(logger));
        init_logging();
    });
}

std::string recent_log()
{
    std::string out;
    for (const auto& line : ring()->last_formatted()) {
        out += line;  // each formatted line already ends with a newline
    }
    return out;
}

}  // namespace mini_redis::testing
