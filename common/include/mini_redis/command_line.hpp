// Command-line flags for the chapters' servers, parsed by CLI11.
//
// Every chapter's main declares its flags here. CLI11 writes --help, checks each value and
// explains what was wrong, but it is a header-only library that takes seconds to compile in
// every file that includes it, and each chapter has two servers (starter and solution). Behind
// this class it compiles once, in common/. Not part of any chapter's lesson.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace mini_redis {

/// A program's flags: add() each one with the variable it sets, then parse().
class CommandLine {
public:
    /// `description` opens the --help text.
    explicit CommandLine(const std::string& description);
    ~CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    /// A flag, `names` such as "-p,--port", that sets `value`. --help shows `help` and, unless
    /// it is empty, the value `value` holds now as the default.
    void add(const std::string& names, std::string& value, const std::string& help);
    void add(const std::string& names, unsigned short& value, const std::string& help);

    /// A flag without a value, such as "--otel": `value` becomes true when it is given.
    void add(const std::string& names, bool& value, const std::string& help);
    /// A number flag that must lie between `min` and `max`: anything else is refused with a
    /// message naming the flag.
    void add(const std::string& names, unsigned& value, const std::string& help, unsigned min,
             unsigned max);
    void add(const std::string& names, std::size_t& value, const std::string& help, std::size_t min,
             std::size_t max);

    /// A --version flag that prints `text` and exits.
    void version(const std::string& text);

    /// Parses the command line into the variables. Returns nothing when the program should go
    /// on, or the status to exit with at once: 0 after --help or --version (printed on stdout),
    /// CLI11's error status (106 for a bad value, for instance) after saying on stderr what was
    /// wrong.
    std::optional<int> parse(int argc, char** argv);

private:
    std::unique_ptr<CLI::App> app_;
};

}  // namespace mini_redis
