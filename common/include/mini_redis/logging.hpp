// Logging set-up shared by every executable and the tests.
//
// The servers log through spdlog's default logger (`spdlog::info(...)`); this sets its format and
// level once at start-up. Not part of any chapter's lesson.
#pragma once

#include <string_view>

namespace mini_redis {

/// The format of every log line: time, level, message. (Chapter 10 appends a span's ids to it.)
inline constexpr const char* log_pattern = "[%H:%M:%S.%e] [%^%l%$] %v";

/// Configures the default spdlog logger: a short time-stamped pattern, and the level from
/// `level` ("trace", "debug", "info", "warn", "error", "off") when it is not empty, otherwise from
/// the SPDLOG_LEVEL environment variable, otherwise "info". Throws std::invalid_argument for an
/// unknown level name. Call it once, before starting any thread that logs.
void init_logging(std::string_view level = {});

}  // namespace mini_redis
