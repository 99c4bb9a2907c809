// A counting operator new: see allocations.hpp. Its own library (mini_redis::allocations), so
// that only the test binaries that link it lose the standard operator new.
#include "mini_redis/testing/allocations.hpp"

#include <atomic>
#include <cstdlib>
#include <limits>
#include <new>

namespace {

constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

thread_local std::size_t bytes_allocated = 0;  // constant-initialised: safe inside operator new
thread_local std::size_t allocations_made = 0;
std::atomic<std::size_t> fail_at_least{never};

/// True once for the first allocation of at least the size a test asked to fail.
bool should_fail(std::size_t size) noexcept
{
    std::size_t threshold = fail_at_least.load(std::memory_order_relaxed);
    while (size >= threshold) {
        if (fail_at_least.compare_exchange_weak(threshold, never)) {
            return true;
        }
    }
    return false;
}

}  // namespace

namespace mini_redis::testing {

std::size_t allocated_bytes() noexcept
{
    return bytes_allocated;
}

std::size_t allocation_count() noexcept
{
    return allocations_made;
}

void fail_next_allocation_of_at_least(std::size_t size) noexcept
{
    fail_at_least.store(size);
}

}  // namespace mini_redis::testing

// Every form of new and delete that allocates with malloc is replaced, not only the plain one:
// a sanitizer runtime provides its own forms, and memory from its new freed by our delete (or
// the reverse) is a mismatch it reports. (The aligned forms stay the runtime's, both ways.)
void* operator new(std::size_t size)
{
    if (should_fail(size)) {
        throw std::bad_alloc();
    }
    bytes_allocated += size;
    ++allocations_made;
    if (void* memory = std::malloc(size == 0 ? 1 : size)) {
        return memory;
    }
    throw std::bad_alloc();
}

void* operator new[](std::size_t size)
{
    return ::operator new(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    try {
        return ::operator new(size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return ::operator new(size, std::nothrow);
}

void operator delete(void* memory) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory) noexcept
{
    std::free(memory);
}

void operator delete(void* memory, std::size_t) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory, std::size_t) noexcept
{
    std::free(memory);
}

void operator delete(void* memory, const std::nothrow_t&) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory, const std::nothrow_t&) noexcept
{
    std::free(memory);
}
