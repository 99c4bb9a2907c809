// Counting what code allocates, and making an allocation fail, for tests of what a peer can make
// the server hold and of what a failure deep inside the server leaves behind.
//
// A test binary linked with mini_redis::allocations has its global operator new replaced by one
// that counts, per thread, the bytes it hands out (and otherwise allocates as before, with
// malloc). Only the binaries that need it link it: under ASan the replacement hides new/delete
// mismatches from the sanitizer.
#pragma once

#include <cstddef>

namespace mini_redis::testing {

/// Bytes this thread has asked of operator new since it started (never decreases: frees are not
/// subtracted). The difference across a call is what that call allocated.
std::size_t allocated_bytes() noexcept;

/// Calls to operator new this thread has made since it started: what a test of "no
/// allocation per item" counts, where the bytes would not tell one block from many small ones.
std::size_t allocation_count() noexcept;

/// Makes the next allocation of at least `size` bytes, on any thread, throw std::bad_alloc, as
/// if memory had run out. Once: the allocations after it succeed again.
void fail_next_allocation_of_at_least(std::size_t size) noexcept;

}  // namespace mini_redis::testing
