// A connection's subscriptions: see subscriptions.hpp. Book: chapter 06, "Subscriber mode".
#include "subscriptions.hpp"

#include "mini_redis/exercise.hpp"

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

// [book: end-turn]
asio::awaitable<void> Subscriptions::end_turn(const Pause& pause)
{
    co_await pause();
    // Back of the queue: whatever else is ready on this thread runs before we go on.
    co_await asio::post(asio::use_awaitable);
}
// [end book: end-turn]

// [book: subscribe]
asio::awaitable<void> Subscriptions::subscribe(const std::vector<std::string>& channels,
                                               const Pause& pause)
{
    // EXERCISE 06.12: Join channels, confirming each
    //
    // Join each named channel in order and confirm it with confirm("subscribe", &channel) (the
    // count is the channels we are on afterwards; a channel we are on already is confirmed but
    // not joined twice). Register with the Db (db_.subscribe(channel, outbox_)) only after
    // confirming, and only for a new channel. Reserve room in channels_ and in the Db
    // (db_.expect_channels) first. After every channels_per_turn channels, co_await
    // end_turn(pause).
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.12
    mini_redis::unused(channels, pause);
    co_await mini_redis::co_todo("06.12", "book/06-pub-sub.md#exercise-0612-subscribing");
    // END EXERCISE 06.12
}
// [end book: subscribe]

// [book: unsubscribe]
asio::awaitable<void> Subscriptions::unsubscribe(const std::vector<std::string>& channels,
                                                 const Pause& pause)
{
    // EXERCISE 06.13: Leave channels, with Redis's replies
    //
    // Leave the named channels, or every channel when `channels` is empty, and confirm each
    // with confirm("unsubscribe", &channel); the count in it is what remains, so leave the
    // channel (from the Db and from channels_) before confirming it. A channel we are not on
    // still gets its reply. With no names and no subscriptions at all, reply once with a null
    // channel: confirm("unsubscribe", nullptr). Work in turns, as subscribe() does: after every
    // channels_per_turn channels, co_await end_turn(pause). Once channels_ is empty, give its
    // buckets back by swapping it with a new set (clear() or `= {}` keeps them).
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.13
    mini_redis::unused(channels, pause);
    co_await mini_redis::co_todo("06.13", "book/06-pub-sub.md#exercise-0613-unsubscribing");
    // END EXERCISE 06.13
}
// [end book: unsubscribe]

}  // namespace mini_redis
