// Command-line flags through CLI11: see command_line.hpp.
#include "mini_redis/command_line.hpp"

#include <CLI/CLI.hpp>

namespace mini_redis {

CommandLine::CommandLine(const std::string& description)
    : app_(std::make_unique<CLI::App>(description))
{
}

CommandLine::~CommandLine() = default;

void CommandLine::add(const std::string& names, std::string& value, const std::string& help)
{
    auto* option = app_->add_option(names, value, help);
    if (!value.empty()) {
        option->capture_default_str();
    }
}

void CommandLine::add(const std::string& names, bool& value, const std::string& help)
{
    app_->add_flag(names, value, help);
}

void CommandLine::add(const std::string& names, unsigned short& value, const std::string& help)
{
    app_->add_option(names, value, help)->capture_default_str();
}

void CommandLine::add(const std::string& names, unsigned& value, const std::string& help,
                      unsigned min, unsigned max)
{
    app_->add_option(names, value, help)->capture_default_str()->check(CLI::Range(min, max));
}

void CommandLine::add(const std::string& names, std::size_t& value, const std::string& help,
                      std::size_t min, std::size_t max)
{
    app_->add_option(names, value, help)->capture_default_str()->check(CLI::Range(min, max));
}

void CommandLine::version(const std::string& text)
{
    app_->set_version_flag("--version", text);
}

std::optional<int> CommandLine::parse(int argc, char** argv)
{
    try {
        app_->parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app_->exit(e);  // prints help, the version or the error; 0 for help and version
    }
    return std::nullopt;
}

}  // namespace mini_redis
