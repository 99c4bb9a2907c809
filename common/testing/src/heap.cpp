// The heap in use: see heap.hpp. With ASan or TSan the sanitizer's allocator serves every
// malloc and reports its own total; otherwise glibc's mallinfo2 does.
#include "mini_redis/testing/heap.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MINI_REDIS_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MINI_REDIS_SANITIZER_HEAP 1
#endif
#endif

#ifdef MINI_REDIS_SANITIZER_HEAP
// Part of every sanitizer's runtime (sanitizer/allocator_interface.h, which clang ships and GCC
// does not).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace mini_redis::testing {

std::size_t heap_in_use() noexcept
{
#ifdef MINI_REDIS_SANITIZER_HEAP
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;  // in use in the arenas, plus the blocks mmap served
#endif
}

}  // namespace mini_redis::testing
