// A port on 127.0.0.1 that nobody listens on, for a program that must be given a port number
// (redis-server) and for tests of a refused connection.
#pragma once

namespace mini_redis::testing {

/// A port that was free a moment ago: the kernel picks it for a listener that is closed again at
/// once. Another program could take it in between; on a test machine that race is harmless.
unsigned short free_port();

}  // namespace mini_redis::testing
