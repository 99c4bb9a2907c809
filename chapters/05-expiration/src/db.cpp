// The shared key space with expiring keys: see db.hpp. Book: chapter 04, "A Db behind a mutex",
// and chapter 05, "Deadlines and the expiry index".
#include "db.hpp"

#include "mini_redis/exercise.hpp"

namespace mini_redis {
namespace {

// [book: deadline-after]
/// now + expire, or the farthest representable moment if the sum would overflow: Redis accepts
/// deadlines centuries away, further than a steady-clock time point in nanoseconds can reach.
TimePoint deadline_after(TimePoint now, std::chrono::milliseconds expire)
{
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(TimePoint::max() - now);
    return expire >= room ? TimePoint::max() : now + expire;
}
// [end book: deadline-after]

}  // namespace

Db::Db(Now now) : state_(std::make_shared<State>(std::move(now))) {}

// [book: db-erase]
void Db::erase(State& state, Entries::iterator entry)
{
    if (entry->second.expires_at) {
        state.expirations.erase({*entry->second.expires_at, entry->first});
    }
    state.entries.erase(entry);
}
// [end book: db-erase]

// [book: db-get]
std::optional<std::string> Db::get(std::string_view key)
{
    // EXERCISE 05.3: Forget a key whose deadline has passed
    //
    // Return the value stored under `key`, or std::nullopt if there is none. A key whose
    // deadline is at or before now counts as gone: erase it (with erase(), which also takes it
    // out of the index) and return std::nullopt. Read the clock (state_->now()) before taking
    // the lock.
    //
    // Check: ./workbook test 5   Stuck? ./workbook hint 05.3
    mini_redis::unused(key);
    mini_redis::todo("05.3", "book/05-expiration.md#exercise-053-lazy-expiry");
    // END EXERCISE 05.3
}
// [end book: db-get]

// [book: db-set]
void Db::set(std::string key, std::string value, std::optional<std::chrono::milliseconds> expire)
{
    std::optional<TimePoint> deadline;
    if (expire) {
        deadline = deadline_after(state_->now(), *expire);
    }
    bool wake = false;  // does the purge task need to reschedule?
    std::function<void()> wake_up;
    {
        std::lock_guard lock(state_->mutex);
        // try_emplace moves the key in only when it inserts; an existing entry keeps its key.
        auto [entry, inserted] = state_->entries.try_emplace(std::move(key));
        // EXERCISE 05.2: Keep the expiry index in step with the entry
        //
        // `entry` is the key's map entry (new or existing). If it had a deadline, remove that
        // (deadline, key) pair from state_->expirations. Store the new value and the new
        // deadline (which may be none: a SET without EX/PX clears an old expiry). If there is a
        // new deadline, set `wake` when it comes before every deadline left in the index (the
        // old pair is out already: a key that held the first deadline and gets a later one
        // wakes the task once for nothing, which is harmless), then add it to the index. When
        // `wake` is set, copy state_->wake into `wake_up` (set() calls it after unlocking).
        //
        // Check: ./workbook test 5   Stuck? ./workbook hint 05.2
        mini_redis::unused(value, wake, entry);
        mini_redis::todo("05.2", "book/05-expiration.md#exercise-052-the-expiry-index");
        // END EXERCISE 05.2
    }
    // Outside the lock: the wake-up posts work to the purge task's strand, and nothing that
    // could take time (or take another lock) should run while other threads wait for ours.
    if (wake_up) {
        wake_up();
    }
}
// [end book: db-set]

// [book: purge-expired]
std::optional<TimePoint> Db::purge_expired()
{
    const TimePoint now = state_->now();
    std::lock_guard lock(state_->mutex);
    if (state_->shut_down) {
        return std::nullopt;
    }
    // EXERCISE 05.4: Delete the keys whose time has come, a slice at a time
    //
    // Delete the keys whose deadline is at or before `now`, taking them from the front of
    // state_->expirations (the earliest first), but no more than purge_slice of them. Return
    // the first deadline that is still ahead; `now` if you stopped at purge_slice with expired
    // keys left (the purge task then comes back at once); std::nullopt when the index runs
    // empty.
    //
    // Check: ./workbook test 5   Stuck? ./workbook hint 05.4
    mini_redis::unused(now);
    mini_redis::todo("05.4", "book/05-expiration.md#exercise-054-purging-expired-keys");
    // END EXERCISE 05.4
}
// [end book: purge-expired]

std::size_t Db::size() const
{
    std::lock_guard lock(state_->mutex);
    return state_->entries.size();
}

std::size_t Db::expiring() const
{
    std::lock_guard lock(state_->mutex);
    return state_->expirations.size();
}

void Db::on_earlier_deadline(std::function<void()> wake)
{
    std::lock_guard lock(state_->mutex);
    state_->wake = std::move(wake);
}

void Db::shutdown()
{
    std::function<void()> wake_up;
    {
        std::lock_guard lock(state_->mutex);
        state_->shut_down = true;
        wake_up = state_->wake;
    }
    if (wake_up) {
        wake_up();
    }
}

bool Db::is_shut_down() const
{
    std::lock_guard lock(state_->mutex);
    return state_->shut_down;
}

}  // namespace mini_redis
