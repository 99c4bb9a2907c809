// Arguments: a cursor over a command's arguments, the way each command reads what it needs.
//
// A command arrives as an array frame: its name, then its arguments. Each command takes its
// arguments one at a time from this cursor ("the key", "the value", "an optional message"), and
// the cursor turns every way of getting that wrong into the error reply Redis gives.
// Plain C++, no I/O. Book: chapter 03, "Reading arguments with a cursor".
#pragma once

#include "frame.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mini_redis {

/// A mistake in a command: `what()` is the error reply's text, e.g. "ERR syntax error".
/// parse_command() catches it and turns it into an error reply; it never reaches the network
/// layer.
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// `text` as a signed 64-bit integer, written as Redis accepts integers: "0", or an optional '-'
/// and digits without leading zeros, in range. std::nullopt for anything else ("+1", "007",
/// "-0", "1.5", " 1", "9223372036854775808").
std::optional<std::int64_t> to_integer(std::string_view text);

/// Reads a command's arguments in order. Owns the frame's items.
class Arguments {
public:
    /// `command` is the whole request: the name, then the arguments. The items must be bulk
    /// strings, simple strings or integers (the request parser guarantees it).
    explicit Arguments(Frame::Array command);

    /// The command's name as sent (e.g. "gEt"), for messages that quote it.
    const std::string& name() const noexcept { return name_; }

    /// The name in lower case ("get"): what commands are matched against, and what Redis
    /// quotes in its "wrong number of arguments for 'get' command".
    const std::string& lowercase_name() const noexcept { return lowercase_name_; }

    /// Takes the next argument as bytes (an integer argument as its decimal text). Throws
    /// CommandError("ERR wrong number of arguments for '<name>' command") when there is none.
    std::string next_bytes();

    /// Takes the next argument as a signed 64-bit integer (see to_integer). Throws
    /// CommandError: "wrong number of arguments" when there is none, "ERR value is not an
    /// integer or out of range" when it is not such a number or does not fit.
    std::int64_t next_integer();

    /// True when every argument has been taken.
    bool empty() const noexcept { return next_ == items_.size(); }

    /// How many arguments are left to take: room to reserve before taking a long list.
    std::size_t remaining() const noexcept { return items_.size() - next_; }

    /// Ends the reading: throws the "wrong number of arguments" CommandError if any argument is
    /// left over (a command that takes at most N arguments got more).
    void finish() const;

private:
    [[noreturn]] void wrong_number() const;

    std::string name_;
    std::string lowercase_name_;
    Frame::Array items_;  // the whole command; items_[0] is the name
    std::size_t next_ = 1;
};

}  // namespace mini_redis
