// The shared key space: see db.hpp. Book: chapter 04, "A Db behind a mutex".
#include "db.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {

Db::Db() : state_(std::make_shared<State>()) {}

// [book: db-get]
std::optional<std::string> Db::get(std::string_view key) const
{
    // EXERCISE 04.1: Read a value under the lock
    //
    // Return the value stored under `key`, or std::nullopt. Lock state_->mutex for exactly as
    // long as you touch state_->entries, and copy the value out before the lock is released.
    //
    // Check: ./workbook test 4   Stuck? ./workbook hint 04.1
    mini_redis::unused(key, state_);
    mini_redis::todo("04.1", "book/04-shared-db.md#exercise-041-reading-under-the-lock");
    // END EXERCISE 04.1
}
// [end book: db-get]

// [book: db-set]
void Db::set(std::string key, std::string value)
{
    // EXERCISE 04.2: Write a value under the lock
    //
    // Store `value` under `key`, replacing any old value, while holding state_->mutex. Move the
    // key and value into the map; do not copy them.
    //
    // Check: ./workbook test 4   Stuck? ./workbook hint 04.2
    mini_redis::unused(key, value);
    mini_redis::todo("04.2", "book/04-shared-db.md#exercise-042-writing-under-the-lock");
    // END EXERCISE 04.2
}
// [end book: db-set]

}  // namespace mini_redis
