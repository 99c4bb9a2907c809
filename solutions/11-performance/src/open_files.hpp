// Room for the clients in the process's open-file limit.
//
// Every client connection is a file descriptor, and the kernel caps how many a process may hold
// open at once (RLIMIT_NOFILE, what `ulimit -n` shows; often 1024). A server allowed more
// clients than that would find out only when accept() fails with "too many open files". Book:
// chapter 07, "Limits from the operating system".
#pragma once

#include <cstddef>

namespace mini_redis {

/// Descriptors the server keeps for itself besides its clients: the listening socket, the event
/// loop's own, the log. Redis keeps 32 for the same purpose.
inline constexpr std::size_t reserved_files = 32;

/// Makes room for `max_connections` clients plus reserved_files: raises the soft open-file limit
/// as far as the hard limit allows, as Redis does at start-up. Returns `max_connections`, or,
/// when even the hard limit is too low, as many clients as fit, after logging a warning.
std::size_t fit_open_file_limit(std::size_t max_connections);

}  // namespace mini_redis
