// Executing commands: a Command and the data in, a reply frame out.
//
// The data is the Db shared by every session on every thread; execute() only calls its
// thread-safe members. Book: chapter 03, "Executing a command", and chapter 04.
#pragma once

#include "command.hpp"
#include "db.hpp"
#include "frame.hpp"

namespace mini_redis {

/// Runs `command` against `db` and returns the reply to send. Takes the command by value so a
/// SET can move its key and value into the map instead of copying them. Never throws for
/// anything a client can send: mistakes were turned into Invalid commands already, and execute()
/// replies with their error. QUIT replies "+OK"; closing the connection is the session's job.
/// SUBSCRIBE and UNSUBSCRIBE change the connection, not the data, so the session handles them
/// (session.cpp) and never passes them here; execute() answers them with an error.
Frame execute(Command command, Db& db);

}  // namespace mini_redis
