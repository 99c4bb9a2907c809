// Subscriber: a client connection in subscriber mode, receiving what is published on its
// channels.
//
// Once subscribed, a connection stops being request/reply: the server pushes a message whenever
// someone publishes, and a confirmation for each SUBSCRIBE or UNSUBSCRIBE arrives in between
// those messages. So the Subscriber reads frames and sorts them: confirmations answer the call
// waiting for them, messages are kept for next_message(). Book: chapter 09, "Subscribing".
#pragma once

#include "client/client.hpp"

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace mini_redis::client {

/// One message published on a channel.
struct Message {
    std::string channel;
    std::string content;
    bool operator==(const Message&) const = default;
};

/// A subscribed connection. Made by subscribe() below; move-only. One coroutine at a time may
/// use it.
class Subscriber {
public:
    /// Takes over a connected client that has not subscribed yet (subscribe() does this).
    explicit Subscriber(Client client);

    /// The next message on any subscribed channel, waiting for one if none has arrived;
    /// std::nullopt when the server closed the connection (it shut down, say).
    asio::awaitable<std::optional<Message>> next_message();

    /// Subscribes to more channels; returns once the server confirmed every one. Throws
    /// std::invalid_argument, sending nothing, when `channels` is empty.
    asio::awaitable<void> subscribe(std::vector<std::string> channels);

    /// Unsubscribes from `channels`, or from all channels when it is empty; returns once the
    /// server confirmed.
    asio::awaitable<void> unsubscribe(std::vector<std::string> channels = {});

    /// The channels subscribed to, in the order they were confirmed.
    const std::vector<std::string>& channels() const noexcept { return channels_; }

private:
    /// What one frame pushed by the server is.
    struct Push {
        std::string kind;  // "message", "subscribe" or "unsubscribe"
        Frame channel;     // a bulk string, or null (UNSUBSCRIBE with no subscriptions)
        Frame payload;     // the message, or the number of subscriptions left
    };
    asio::awaitable<std::optional<Push>> read_push();
    asio::awaitable<Push> read_confirmation(std::string_view kind);
    /// The message `push` carries (moved out of it), or std::nullopt if it is a confirmation.
    static std::optional<Message> as_message(Push& push);

    Client client_;
    std::vector<std::string> channels_;
    std::deque<Message> pending_;  // messages that arrived while we waited for a confirmation
};

/// SUBSCRIBE: turns `client` into a subscriber to `channels` (at least one, or
/// std::invalid_argument) and returns once the server confirmed every one. A subscribed
/// connection may only (un)subscribe and receive messages, so the client is consumed: call it as
/// `co_await subscribe(std::move(client), std::move(channels))`. The client's timeout is lifted: a
/// subscriber waits for messages as long as they take. (A function of its own, not a member of
/// Client: a Client knows nothing of subscribers, and the dependency runs one way.)
asio::awaitable<Subscriber> subscribe(Client client, std::vector<std::string> channels);

}  // namespace mini_redis::client
