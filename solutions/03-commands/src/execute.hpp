// Executing commands: a Command and the data in, a reply frame out.
//
// Chapter 03's server is single-threaded, so the data is a plain hash map that every session
// uses in turn; chapter 04 replaces it with a Db that many threads can share.
// Book: chapter 03, "Executing a command".
#pragma once

#include "command.hpp"
#include "frame.hpp"

#include <string>
#include <unordered_map>

namespace mini_redis {

// [book: execute-contract]
/// Every key and its value. Keys and values are arbitrary bytes.
using KeySpace = std::unordered_map<std::string, std::string>;

/// Runs `command` against `keys` and returns the reply to send. Takes the command by value so a
/// SET can move its key and value into the map instead of copying them. Never throws for
/// anything a client can send: mistakes were turned into Invalid commands already, and execute()
/// replies with their error. QUIT replies "+OK"; closing the connection is the session's job.
Frame execute(Command command, KeySpace& keys);
// [end book: execute-contract]

}  // namespace mini_redis
