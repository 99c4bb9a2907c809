// How much heap memory the process holds: for tests of what a client can make the server keep.
//
// A process's RSS is the wrong measure for that: the allocator keeps much of what the program
// frees (RSS does not fall), and under a sanitizer every byte is shadowed (RSS grows by more
// than the program asked for). This asks the allocator itself.
#pragma once

#include <cstddef>

namespace mini_redis::testing {

/// Bytes currently handed out by malloc (and so by operator new), over every thread: what the
/// program has allocated and not yet freed, the allocator's own overhead included. Compare two
/// readings taken while nothing else in the process allocates (no server busy with another
/// client) to see what something holds.
std::size_t heap_in_use() noexcept;

}  // namespace mini_redis::testing
