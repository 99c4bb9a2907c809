// The shared key space with expiring keys: see db.hpp. Book: chapter 04, "A Db behind a mutex",
// chapter 05, "Deadlines and the expiry index", and chapter 11, "The hash table".
#include "db.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <stdexcept>

namespace mini_redis {
namespace {

/// now + expire, or the farthest representable moment if the sum would overflow: Redis accepts
/// deadlines centuries away, further than a steady-clock time point in nanoseconds can reach.
TimePoint deadline_after(TimePoint now, std::chrono::milliseconds expire)
{
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(TimePoint::max() - now);
    return expire >= room ? TimePoint::max() : now + expire;
}

}  // namespace

Db::Entry::Owner Db::Entry::make(std::string_view key)
{
    // Room for the Entry and, right after it, the key's length and bytes. operator new gives
    // raw memory aligned for any object; placement new constructs the Entry at its start, and
    // the Owner takes it at once, so that Free will destroy and release it.
    if (key.size() > std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("a key of 4 GiB or more");
    }
    const auto size = static_cast<std::uint32_t>(key.size());
    void* memory = ::operator new(sizeof(Entry) + sizeof size + size);
    Owner entry(new (memory) Entry);
    char* after = static_cast<char*>(memory) + sizeof(Entry);
    std::memcpy(after, &size, sizeof size);
    std::copy(key.begin(), key.end(), after + sizeof size);
    return entry;
}

void Db::Entry::Free::operator()(Entry* entry) const noexcept
{
    // The reverse of make(): end the Entry's life (its value may own a heap string), then give
    // back the whole block to the operator new that gave it.
    entry->~Entry();
    ::operator delete(entry);
}

Db::Db(Now now) : state_(std::make_shared<State>(std::move(now))) {}

void Db::erase(State& state, Entries::iterator entry)
{
    if (const auto deadline = (*entry)->deadline()) {
        state.expirations.erase({*deadline, (*entry)->key()});
    }
    state.entries.erase(entry);
}

std::optional<std::string> Db::get(std::string_view key)
{
    std::lock_guard lock(state_->mutex);
    const auto found = state_->entries.find(key);
    if (found == state_->entries.end()) {
        return std::nullopt;
    }
    // The clock only for a key that can expire (chapter 11: a reading for every GET was 2% of
    // pipelined GET's samples). A reading is a few nanoseconds, short enough under the lock.
    if (const auto deadline = (*found)->deadline(); deadline && *deadline <= state_->now()) {
        // Expired, but the purge task has not got to it yet: it is gone all the same.
        erase(*state_, found);
        return std::nullopt;
    }
    return (*found)->value;  // copied while the lock is held
}

void Db::set(std::string_view key, std::string value,
             std::optional<std::chrono::milliseconds> expire)
{
    std::optional<TimePoint> deadline;
    if (expire) {
        deadline = deadline_after(state_->now(), *expire);
    }
    bool wake = false;  // does the purge task need to reschedule?
    std::function<void()> wake_up;
    {
        std::lock_guard lock(state_->mutex);
        // A new key gets an entry of its own; an existing one keeps its entry, and its key.
        auto found = state_->entries.find(key);
        if (found == state_->entries.end()) {
            found = state_->entries.insert(Entry::make(key)).first;
        }
        Entry& entry = **found;
        // An old deadline must leave the index, or the purge task would delete the new value.
        if (const auto old = entry.deadline()) {
            state_->expirations.erase({*old, entry.key()});
        }
        entry.value = std::move(value);
        entry.set_deadline(deadline);
        if (deadline) {
            // Wake the purge task only when this deadline is now the first one: otherwise it is
            // already set to wake up earlier than needed for this key.
            wake = state_->expirations.empty() || *deadline < state_->expirations.begin()->first;
            state_->expirations.emplace(*deadline, entry.key());
        }
        if (wake) {
            wake_up = state_->wake;
        }
    }
    // Outside the lock: the wake-up posts work to the purge task's strand, and nothing that
    // could take time (or take another lock) should run while other threads wait for ours.
    if (wake_up) {
        wake_up();
    }
}

std::optional<TimePoint> Db::purge_expired()
{
    const TimePoint now = state_->now();
    std::lock_guard lock(state_->mutex);
    if (state_->shut_down) {
        return std::nullopt;
    }
    // The index is sorted by deadline, so the keys to delete are at its front, and the first
    // deadline still ahead is the answer.
    std::size_t deleted = 0;
    while (!state_->expirations.empty()) {
        const auto [when, key] = *state_->expirations.begin();
        if (when > now) {
            return when;
        }
        if (deleted == purge_slice) {
            return now;  // more are due: let the others have the lock, then come back at once
        }
        erase(*state_, state_->entries.find(key));
        ++deleted;
    }
    return std::nullopt;
}

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

void Db::subscribe(const std::string& channel, std::shared_ptr<Recipient> recipient)
{
    std::lock_guard lock(state_->channels_mutex);
    auto& recipients = state_->channels[channel];
    if (std::find(recipients.begin(), recipients.end(), recipient) == recipients.end()) {
        recipients.push_back(std::move(recipient));
    }
}

void Db::expect_channels(std::size_t more)
{
    std::lock_guard lock(state_->channels_mutex);
    state_->channels.reserve(state_->channels.size() + more);
}

void Db::unsubscribe(std::string_view channel, const Recipient* recipient)
{
    std::lock_guard lock(state_->channels_mutex);
    const auto found = state_->channels.find(channel);
    if (found == state_->channels.end()) {
        return;
    }
    std::erase_if(found->second, [recipient](const auto& r) { return r.get() == recipient; });
    if (found->second.empty()) {
        state_->channels.erase(found);
        // A hash table keeps its buckets when entries go: after a client that held 100,000
        // channels leaves, give them back once the table is mostly empty. rehash(0) sizes it
        // for what is left; the next shrink needs another eightfold fall, so this stays cheap.
        auto& channels = state_->channels;
        if (channels.bucket_count() > 1024 && channels.size() < channels.bucket_count() / 8) {
            channels.rehash(0);
        }
    }
}

std::size_t Db::publish(std::string_view channel, std::string_view push)
{
    std::size_t received = 0;
    std::lock_guard lock(state_->channels_mutex);
    const auto found = state_->channels.find(channel);
    if (found == state_->channels.end()) {
        return 0;
    }
    // Under the lock, but cheap: deliver() only appends to an outbox and signals its writer; it
    // never waits for a socket. The lock also makes every recipient see the messages of
    // concurrent publishers in one and the same order.
    for (const auto& recipient : found->second) {
        if (recipient->deliver(push)) {
            ++received;
        }
    }
    return received;
}

std::size_t Db::channel_count() const
{
    std::lock_guard lock(state_->channels_mutex);
    return state_->channels.size();
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
