// Command: a request frame turned into one of the commands the server knows.
//
// Parsing a command is separate from running it: parse_command() checks names, argument counts
// and options and produces a plain value; execute() (execute.hpp) applies it to the data. Each
// step is small and testable on its own, without sockets. Book: chapter 03, "Commands as values".
#pragma once

#include "frame.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mini_redis {

/// PING [message]: "+PONG", or the message back as a bulk string.
struct Ping {
    std::optional<std::string> message;
    bool operator==(const Ping&) const = default;
};

/// ECHO message: the message back.
struct Echo {
    std::string message;
    bool operator==(const Echo&) const = default;
};

/// GET key: the value, or null when the key does not exist.
struct Get {
    std::string key;
    bool operator==(const Get&) const = default;
};

/// SET key value [EX seconds | PX milliseconds]: stores the value, replacing any old one and
/// its expiry; with EX or PX the key expires that long from now. "+OK".
struct Set {
    std::string key;
    std::string value;
    std::optional<std::chrono::milliseconds> expire;
    bool operator==(const Set&) const = default;
};

/// PUBLISH channel message: delivers the message to the channel's subscribers; replies with
/// how many received it.
struct Publish {
    std::string channel;
    std::string message;
    bool operator==(const Publish&) const = default;
};

/// SUBSCRIBE channel [channel ...]: the connection starts receiving the channels' messages and
/// enters subscriber mode. Replies once per channel (see subscriptions.hpp).
struct Subscribe {
    std::vector<std::string> channels;
    bool operator==(const Subscribe&) const = default;
};

/// UNSUBSCRIBE [channel ...]: leaves the channels, or every channel when none is named.
struct Unsubscribe {
    std::vector<std::string> channels;
    bool operator==(const Unsubscribe&) const = default;
};

/// QUIT: "+OK", then the server closes the connection.
struct Quit {
    bool operator==(const Quit&) const = default;
};

/// A request that is not a valid command. `error` is the whole error reply text, e.g.
/// "ERR unknown command 'FOO', with args beginning with: ". Keeping mistakes as a command (not
/// an exception) lets the session treat every request alike: parse, execute, reply.
struct Invalid {
    std::string error;
    /// The command's name when the mistake is in its options (SET's EX and PX), which Redis
    /// finds only once the command runs; empty when the command is unknown or has too few or
    /// too many arguments, which Redis checks first. A subscribed connection is told it cannot
    /// run the command at all before it is told what is wrong with the options.
    std::string command = {};
    bool operator==(const Invalid&) const = default;
};

using Command = std::variant<Ping, Echo, Get, Set, Publish, Subscribe, Unsubscribe, Quit, Invalid>;

/// The command's name in lower case ("get"), as Redis quotes it in errors; for Invalid, the
/// name it carries, which is empty when the command is unknown or has a wrong number of
/// arguments. (Chapter 10 names each command's span after it.) A reference, to a constant or
/// into `command`, so that asking copies nothing: a traced session asks for every command.
const std::string& command_name(const Command& command);

/// Turns a request (an array of arguments, as Parser produces with Syntax::requests) into a
/// Command. Command names are case-insensitive; arguments are binary-safe. Every mistake becomes
/// Invalid with Redis's exact error text. Never throws for anything a client can send.
Command parse_command(Frame request);

}  // namespace mini_redis
