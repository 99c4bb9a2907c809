// The shared key space: see db.hpp. Book: chapter 04, "A Db behind a mutex".
#include "db.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {

Db::Db() : state_(std::make_shared<State>()) {}

// [book: db-get]
std::optional<std::string> Db::get(std::string_view key) const
{
    // EXERCISE 04.1: Read a value under the lock
    // lock_guard locks now and unlocks when it goes out of scope, on every path out of this
    // block, exceptions included. Nothing in between can suspend: no co_await in here.
    std::lock_guard lock(state_->mutex);
    const auto found = state_->entries.find(key);
    if (found == state_->entries.end()) {
        return std::nullopt;
    }
    return found->second;  // copied while the lock is held
    // END EXERCISE 04.1
}
// [end book: db-get]

// [book: db-set]
void Db::set(std::string key, std::string value)
{
    // EXERCISE 04.2: Write a value under the lock
    std::lock_guard lock(state_->mutex);
    state_->entries.insert_or_assign(std::move(key), std::move(value));
    // END EXERCISE 04.2
}
// [end book: db-set]

}  // namespace mini_redis
