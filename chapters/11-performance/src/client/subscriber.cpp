// The subscribed connection: see subscriber.hpp. Book: chapter 09, "Subscribing".
#include "client/subscriber.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace mini_redis::client {

Subscriber::Subscriber(Client client) : client_(std::move(client)) {}

asio::awaitable<std::optional<Subscriber::Push>> Subscriber::read_push()
{
    auto frame = co_await client_.read_frame();
    if (!frame) {
        co_return std::nullopt;
    }
    if (auto* error = std::get_if<Frame::Error>(&frame->value)) {
        throw ServerError(error->message);
    }
    // Every push is an array of three: its kind, a channel, and a message or a count.
    auto* items = std::get_if<Frame::Array>(&frame->value);
    if (items == nullptr || items->size() != 3 ||
        !std::holds_alternative<Frame::Bulk>((*items)[0].value)) {
        throw ProtocolError("unexpected frame for a subscriber: " + describe(*frame));
    }
    co_return Push{std::move(std::get<Frame::Bulk>((*items)[0].value).bytes),
                   std::move((*items)[1]), std::move((*items)[2])};
}

std::optional<Message> Subscriber::as_message(Push& push)
{
    auto* channel = std::get_if<Frame::Bulk>(&push.channel.value);
    auto* content = std::get_if<Frame::Bulk>(&push.payload.value);
    if (push.kind != "message" || channel == nullptr || content == nullptr) {
        return std::nullopt;
    }
    return Message{std::move(channel->bytes), std::move(content->bytes)};
}

asio::awaitable<std::optional<Message>> Subscriber::next_message()
{
    if (!pending_.empty()) {
        Message message = std::move(pending_.front());
        pending_.pop_front();
        co_return message;
    }
    auto push = co_await read_push();
    if (!push) {
        co_return std::nullopt;  // the server closed the connection
    }
    if (auto message = as_message(*push)) {
        co_return message;
    }
    // We wait for no confirmation here, so the server sent one we never asked for.
    throw ProtocolError("expected a message, got a '" + push->kind + "' push");
}

asio::awaitable<Subscriber::Push> Subscriber::read_confirmation(std::string_view kind)
{
    for (;;) {
        auto push = co_await read_push();
        if (!push) {
            throw boost::system::system_error(asio::error::eof, "the server closed the connection");
        }
        if (push->kind == kind) {
            co_return std::move(*push);
        }
        // Someone published on a channel we already had before our request reached the
        // server: keep the message for next_message() and wait on.
        auto message = as_message(*push);
        if (!message) {
            throw ProtocolError("expected a '" + std::string(kind) + "' confirmation, got '" +
                                push->kind + "'");
        }
        pending_.push_back(std::move(*message));
    }
}

asio::awaitable<void> Subscriber::subscribe(std::vector<std::string> channels)
{
    if (channels.empty()) {
        // The server would answer with an error we would only read later, in place of a message.
        throw std::invalid_argument("subscribe needs at least one channel");
    }
    const auto count = channels.size();
    std::vector<std::string> command{"SUBSCRIBE"};
    command.insert(command.end(), channels.begin(), channels.end());
    co_await client_.send(std::move(command));
    // The server confirms each channel in the order we named them.
    for (std::size_t i = 0; i < count; ++i) {
        auto confirmation = co_await read_confirmation("subscribe");
        auto* channel = std::get_if<Frame::Bulk>(&confirmation.channel.value);
        if (channel == nullptr) {
            throw ProtocolError("a subscribe confirmation without a channel");
        }
        if (std::find(channels_.begin(), channels_.end(), channel->bytes) == channels_.end()) {
            channels_.push_back(std::move(channel->bytes));
        }
    }
}

asio::awaitable<void> Subscriber::unsubscribe(std::vector<std::string> channels)
{
    const auto count = channels.size();
    std::vector<std::string> command{"UNSUBSCRIBE"};
    command.insert(command.end(), channels.begin(), channels.end());
    co_await client_.send(std::move(command));
    // Named channels get one confirmation each. "All channels" gets one per channel the server
    // knows of (or a single one with a null channel if there were none): the last says 0
    // subscriptions are left.
    for (std::size_t i = 0; count == 0 || i < count; ++i) {
        auto confirmation = co_await read_confirmation("unsubscribe");
        if (auto* channel = std::get_if<Frame::Bulk>(&confirmation.channel.value)) {
            std::erase(channels_, channel->bytes);
        }
        auto* left = std::get_if<std::int64_t>(&confirmation.payload.value);
        if (left == nullptr) {
            throw ProtocolError("an unsubscribe confirmation without a count");
        }
        if (count == 0 && *left == 0) {
            break;
        }
    }
}

asio::awaitable<Subscriber> subscribe(Client client, std::vector<std::string> channels)
{
    client.set_timeout({});  // a subscriber waits for messages as long as they take
    Subscriber subscriber(std::move(client));
    co_await subscriber.subscribe(std::move(channels));
    co_return subscriber;
}

}  // namespace mini_redis::client
