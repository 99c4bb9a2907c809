// Subscriptions: the channels one connection listens to, and the replies that confirm them.
//
// SUBSCRIBE and UNSUBSCRIBE change the connection rather than the data, so each session keeps
// a Subscriptions object: it registers the connection's Outbox with the Db for each channel and
// answers in Redis's format. Book: chapter 06, "Subscriber mode".
#pragma once

#include "db.hpp"
#include "outbox.hpp"

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace mini_redis {

/// The channels of one connection, in a hash set: a client may hold a hundred thousand, and
/// each (un)subscribe must cost the same however many it has. Used by that connection's reader
/// only (not thread-safe). On destruction it leaves every channel, so a connection that
/// ends, however it ends, stops receiving and leaves no empty channel behind.
///
/// One request may name 100,000 channels, so (UN)SUBSCRIBE are coroutines that work in turns of
/// channels_per_turn channels. Between two turns they wait until the client has read most of the
/// confirmations so far (a client that does not read them cannot make us store 100,000), and
/// they let the thread serve other connections (one request never holds the event loop long).
class Subscriptions {
public:
    /// How many channels a long (UN)SUBSCRIBE handles before it gives the thread up.
    static constexpr std::size_t channels_per_turn = 1024;

    /// What to do between two turns: the session's wait until the client has read its replies
    /// (Outbox::wait_for_room, as after every request).
    using Pause = std::function<asio::awaitable<void>()>;

    Subscriptions(Db db, std::shared_ptr<Outbox> outbox);
    ~Subscriptions();
    Subscriptions(const Subscriptions&) = delete;
    Subscriptions& operator=(const Subscriptions&) = delete;

    /// True while subscribed to at least one channel: the connection is in subscriber mode,
    /// where only (UN)SUBSCRIBE, PING and QUIT are allowed.
    bool active() const noexcept { return !channels_.empty(); }

    /// Subscribes to each channel and queues, for each, `*3 subscribe <channel> <count>`, where
    /// count is the number of channels subscribed afterwards (a repeated channel counts once).
    asio::awaitable<void> subscribe(const std::vector<std::string>& channels, const Pause& pause);

    /// Leaves each named channel, or all of them (in no particular order, as in Redis) when
    /// `channels` is empty, and queues one `*3 unsubscribe <channel> <count>` per channel,
    /// count being what remains. Naming a
    /// channel we are not on still gets a reply. With nothing to leave at all, the one reply is
    /// `*3 unsubscribe <null> 0`, as Redis gives.
    asio::awaitable<void> unsubscribe(const std::vector<std::string>& channels, const Pause& pause);

private:
    /// Ends a turn: pauses (see Pause), then lets whatever else is ready on this thread run
    /// before the request goes on.
    static asio::awaitable<void> end_turn(const Pause& pause);

    /// Queues the confirmation `*3 <kind> <channel or null> <count>`.
    void confirm(const char* kind, const std::string* channel);

    Db db_;
    std::shared_ptr<Outbox> outbox_;
    std::unordered_set<std::string> channels_;
};

}  // namespace mini_redis
