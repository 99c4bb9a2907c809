// Logging set-up: see logging.hpp.
#include "mini_redis/logging.hpp"

#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

namespace mini_redis {

void init_logging(std::string_view level)
{
    spdlog::set_pattern(log_pattern);
    spdlog::set_level(spdlog::level::info);
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug, for example
    if (level.empty()) {
        return;
    }
    const auto parsed = spdlog::level::from_str(std::string(level));
    // from_str maps every unknown name to "off"; only "off" itself may mean off.
    if (parsed == spdlog::level::off && level != "off") {
        throw std::invalid_argument("unknown log level '" + std::string(level) +
                                    "' (use trace, debug, info, warn, error or off)");
    }
    spdlog::set_level(parsed);
}

}  // namespace mini_redis
