// A connection's subscriptions: see subscriptions.hpp. Book: chapter 06, "Subscriber mode".
#include "subscriptions.hpp"

namespace mini_redis {

Subscriptions::Subscriptions(Db db, std::shared_ptr<Outbox> outbox)
    : db_(std::move(db)), outbox_(std::move(outbox))
{
}

Subscriptions::~Subscriptions()
{
    for (const auto& channel : channels_) {
        db_.unsubscribe(channel, outbox_.get());
    }
}

void Subscriptions::confirm(const char* kind, const std::string* channel)
{
    outbox_->queue(Frame::array({Frame::bulk(kind), channel ? Frame::bulk(*channel) : Frame::null(),
                                 Frame::integer(static_cast<std::int64_t>(channels_.size()))}));
}

asio::awaitable<void> Subscriptions::end_turn(const Pause& pause)
{
    co_await pause();
    // Back of the queue: whatever else is ready on this thread runs before we go on.
    co_await asio::post(asio::use_awaitable);
}

asio::awaitable<void> Subscriptions::subscribe(const std::vector<std::string>& channels,
                                               const Pause& pause)
{
    // Room for them all at once: one allocation, not a dozen rehashes as the tables grow.
    channels_.reserve(channels_.size() + channels.size());
    db_.expect_channels(channels.size());
    std::size_t done = 0;
    for (const auto& channel : channels) {
        const bool added = channels_.insert(channel).second;
        // Confirm first, register second: once the Db knows us, a PUBLISH on another thread
        // may deliver at once, and its message must not overtake the confirmation.
        confirm("subscribe", &channel);
        if (added) {
            db_.subscribe(channel, outbox_);
        }
        if (++done % channels_per_turn == 0) {
            co_await end_turn(pause);
        }
    }
}

asio::awaitable<void> Subscriptions::unsubscribe(const std::vector<std::string>& channels,
                                                 const Pause& pause)
{
    if (channels.empty() && channels_.empty()) {
        confirm("unsubscribe", nullptr);  // nothing to leave: one reply with a null channel
        co_return;
    }
    std::size_t done = 0;
    if (channels.empty()) {
        // No names means every channel: take them out of the set one at a time (extract hands
        // us the set's own string, so nothing is copied) until none is left.
        while (!channels_.empty()) {
            const auto left = channels_.extract(channels_.begin());
            db_.unsubscribe(left.value(), outbox_.get());
            confirm("unsubscribe", &left.value());  // count: the channels that remain
            if (++done % channels_per_turn == 0) {
                co_await end_turn(pause);
            }
        }
    } else {
        for (const auto& channel : channels) {
            if (channels_.erase(channel) > 0) {
                db_.unsubscribe(channel, outbox_.get());
            }
            confirm("unsubscribe", &channel);  // a channel we are not on is confirmed too
            if (++done % channels_per_turn == 0) {
                co_await end_turn(pause);
            }
        }
    }
    if (channels_.empty()) {
        // An emptied set still holds the buckets of every channel it once had (and so does
        // `channels_ = {}`, which only clears it); swapping with a new set frees them.
        std::unordered_set<std::string>().swap(channels_);
    }
}

}  // namespace mini_redis
