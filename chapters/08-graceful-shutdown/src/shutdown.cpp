// The shutdown signal: see shutdown.hpp. Book: chapter 08, "Telling everyone".
#include "shutdown.hpp"

#include "mini_redis/exercise.hpp"

#include <vector>

namespace mini_redis {

Shutdown::Registration::Registration(std::shared_ptr<ShutdownState> state, std::size_t id)
    : state_(std::move(state)), id_(id)
{
}

Shutdown::Registration::Registration(Registration&& other) noexcept
    : state_(std::move(other.state_)), id_(other.id_)
{
}

Shutdown::Registration::~Registration()
{
    if (state_) {
        std::lock_guard lock(state_->mutex);
        state_->listeners.erase(id_);
    }
}

Shutdown::Shutdown() : state_(std::make_shared<ShutdownState>()) {}

// [book: listen]
Shutdown::Registration Shutdown::listen(Listener listener)
{
    // EXERCISE 08.3: Register a listener; a late one hears at once
    //
    // Register `listener` under a fresh id (state_->next_id) and return the Registration that
    // removes it again. A listener that registers after a stage was reached must hear that
    // stage at once: requested, and then forced if the shutdown was forced. Call it with no
    // lock held.
    //
    // Check: ./workbook test 8   Stuck? ./workbook hint 08.3
    mini_redis::unused(listener);
    mini_redis::todo("08.3", "book/08-graceful-shutdown.md#exercise-083-registering-a-listener");
    // END EXERCISE 08.3
}
// [end book: listen]

void Shutdown::request()
{
    reach(Stage::requested);
}

void Shutdown::force()
{
    request();  // forcing implies the first step
    reach(Stage::forced);
}

bool Shutdown::requested() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requested;
}

// [book: reach]
void Shutdown::reach(Stage stage)
{
    // EXERCISE 08.2: Tell every listener, once per stage
    //
    // Reach `stage`: the first time only (a second request() or force() does nothing), mark it
    // reached and call every registered listener with it. Call them with no lock held: a
    // listener may register or unregister others.
    //
    // Check: ./workbook test 8   Stuck? ./workbook hint 08.2
    mini_redis::unused(stage);
    mini_redis::todo("08.2", "book/08-graceful-shutdown.md#exercise-082-telling-every-listener");
    // END EXERCISE 08.2
}
// [end book: reach]

}  // namespace mini_redis
