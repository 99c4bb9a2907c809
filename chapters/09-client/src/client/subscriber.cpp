// The subscribed connection: see subscriber.hpp. Book: chapter 09, "Subscribing".
#include "client/subscriber.hpp"

#include "mini_redis/exercise.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace mini_redis::client {

Subscriber::Subscriber(Client client) : client_(std::move(client)) {}

// [book: read-push]
asio::awaitable<std::optional<Subscriber::Push>> Subscriber::read_push()
{
    // EXERCISE 09.7: Read one push and take it apart
    //
    // Read one frame with client_.read_frame(). No frame (the server closed the connection):
    // return std::nullopt. An error reply: throw a ServerError with its message. A push is an
    // array of exactly three frames whose first is a bulk string, its kind: return a Push of
    // the kind's bytes, the second frame (the channel) and the third (a message or a count).
    // Anything else: throw a ProtocolError.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.7
    mini_redis::unused(client_);
    co_return co_await mini_redis::co_todo<std::optional<Subscriber::Push>>("09.7", "book/09-client.md#exercise-097-reading-a-push");
    // END EXERCISE 09.7
}
// [end book: read-push]

std::optional<Message> Subscriber::as_message(Push& push)
{
    auto* channel = std::get_if<Frame::Bulk>(&push.channel.value);
    auto* content = std::get_if<Frame::Bulk>(&push.payload.value);
    if (push.kind != "message" || channel == nullptr || content == nullptr) {
        return std::nullopt;
    }
    return Message{std::move(channel->bytes), std::move(content->bytes)};
}

// [book: next-message]
asio::awaitable<std::optional<Message>> Subscriber::next_message()
{
    // EXERCISE 09.2: Wait for the next message
    //
    // Return the next message. Messages that arrived while subscribe() or unsubscribe() waited
    // for their confirmations are in pending_: hand out the oldest first. Otherwise read a push
    // with read_push(): std::nullopt means the server closed the connection (return
    // std::nullopt); as_message() turns a "message" push into a Message. Any other push is a
    // confirmation nobody asked for: throw a ProtocolError.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.2
    mini_redis::unused(pending_);
    co_return co_await mini_redis::co_todo<std::optional<Message>>("09.2", "book/09-client.md#exercise-092-the-next-message");
    // END EXERCISE 09.2
}
// [end book: next-message]

// [book: confirmation]
asio::awaitable<Subscriber::Push> Subscriber::read_confirmation(std::string_view kind)
{
    // EXERCISE 09.8: Wait for the confirmation, keeping the messages
    //
    // Read pushes until one of kind `kind` comes, and return it. A "message" push that comes
    // first belongs to next_message(): keep it in pending_, in the order it came, and read on.
    // The end of the connection here is an error (we wait for an answer): throw
    // boost::system::system_error(asio::error::eof, ...). Any other push: throw a
    // ProtocolError.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.8
    mini_redis::unused(kind);
    co_return co_await mini_redis::co_todo<Subscriber::Push>("09.8", "book/09-client.md#exercise-098-the-confirmation-among-the-messages");
    // END EXERCISE 09.8
}
// [end book: confirmation]

asio::awaitable<void> Subscriber::subscribe(std::vector<std::string> channels)
{
    // EXERCISE 09.13: Subscribe, one confirmation per channel
    //
    // Subscribe to `channels`: none at all is a std::invalid_argument, thrown before anything
    // is sent. Send SUBSCRIBE with the channels (send(): the answers are pushes), then read one
    // "subscribe" confirmation per channel named, in order, with read_confirmation(). Add each
    // confirmed channel (a bulk string; anything else is a ProtocolError) to channels_, once: a
    // channel named twice, or already subscribed, is listed once.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.13
    mini_redis::unused(channels, channels_);
    co_await mini_redis::co_todo("09.13", "book/09-client.md#exercise-0913-subscribing");
    // END EXERCISE 09.13
}

// [book: unsubscribe]
asio::awaitable<void> Subscriber::unsubscribe(std::vector<std::string> channels)
{
    // EXERCISE 09.9: Unsubscribe, counting the confirmations
    //
    // Send UNSUBSCRIBE with `channels` (send(), not request(): the answers are pushes). Then
    // read "unsubscribe" confirmations with read_confirmation(): one per named channel; with no
    // channel named, as many as it takes until one says 0 subscriptions are left. Remove each
    // confirmed channel (a bulk string; a null channel means there was none) from channels_. A
    // confirmation whose third part is not an integer: throw a ProtocolError.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.9
    mini_redis::unused(channels);
    co_await mini_redis::co_todo("09.9", "book/09-client.md#exercise-099-unsubscribing");
    // END EXERCISE 09.9
}
// [end book: unsubscribe]

// [book: subscribe]
asio::awaitable<Subscriber> subscribe(Client client, std::vector<std::string> channels)
{
    client.set_timeout({});  // a subscriber waits for messages as long as they take
    Subscriber subscriber(std::move(client));
    co_await subscriber.subscribe(std::move(channels));
    co_return subscriber;
}
// [end book: subscribe]

}  // namespace mini_redis::client
