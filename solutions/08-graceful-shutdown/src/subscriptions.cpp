// A connection's subscriptions: see subscriptions.hpp. Book: chapter 06, "Subscriber mode".
#include "subscriptions.hpp"

namespace mini_redis {

Subscriptions::Subscriptions(Db db, std::shared_ptr<Outbox> outbox)
    : db_(std::move(db)), outbox_(std::move(outbox))
{
}

// [book: leave-all]
Subscriptions::~Subscriptions()
{
    for (const auto& channel : channels_) {
        db_.unsubscribe(channel, outbox_.get());
    }
}
// [end book: leave-all]

// [book: confirm]
void Subscriptions::confirm(const char* kind, const std::string* channel)
{
    outbox_->queue(Frame::array({Frame::bulk(kind), channel ? Frame::bulk(*channel) : Frame::null(),
                                 Frame::integer(static_cast<std::int64_t>(channels_.size()))}));
}
// [end book: confirm]

// [book: subscribe]
void Subscriptions::subscribe(const std::vector<std::string>& channels)
{
    for (const auto& channel : channels) {
        const bool added = channels_.insert(channel).second;
        // Confirm first, register second: once the Db knows us, a PUBLISH on another thread
        // may deliver at once, and its message must not overtake the confirmation.
        confirm("subscribe", &channel);
        if (added) {
            db_.subscribe(channel, outbox_);
        }
    }
}
// [end book: subscribe]

// [book: unsubscribe]
void Subscriptions::unsubscribe(const std::vector<std::string>& channels)
{
    if (channels.empty() && channels_.empty()) {
        confirm("unsubscribe", nullptr);  // nothing to leave: one reply with a null channel
        return;
    }
    // No names means every channel; copy them, since leaving changes channels_.
    const std::vector<std::string> leaving =
        channels.empty() ? std::vector<std::string>(channels_.begin(), channels_.end()) : channels;
    for (const auto& channel : leaving) {
        if (channels_.erase(channel) > 0) {
            db_.unsubscribe(channel, outbox_.get());
        }
        confirm("unsubscribe", &channel);  // count: the channels that remain
    }
}
// [end book: unsubscribe]

}  // namespace mini_redis
