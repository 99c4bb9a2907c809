// The blocking client: see blocking_client.hpp. Book: chapter 09, "A blocking client".
#include "client/blocking_client.hpp"

#include <utility>

namespace mini_redis::client {
namespace {

// co_spawn needs a default-constructible result (Boost 1.81 makes one to hand the completion
// handler when the coroutine throws), which a Client and a Subscriber are not: so the coroutines
// run() waits for hand them over behind a unique_ptr.

asio::awaitable<std::unique_ptr<Client>> connect_client(std::string host, unsigned short port,
                                                        std::chrono::milliseconds timeout)
{
    co_return std::make_unique<Client>(co_await Client::connect(std::move(host), port, timeout));
}

asio::awaitable<std::unique_ptr<Subscriber>> subscribe_client(std::unique_ptr<Client> client,
                                                              std::vector<std::string> channels)
{
    co_return std::make_unique<Subscriber>(
        co_await subscribe(std::move(*client), std::move(channels)));
}

}  // namespace

BlockingRuntime::BlockingRuntime()
    : work_(asio::make_work_guard(context_)), thread_([this] { context_.run(); })
{
}

BlockingRuntime::~BlockingRuntime()
{
    work_.reset();
    context_.stop();
    thread_.join();
}

BlockingClient BlockingClient::connect(std::string host, unsigned short port,
                                       std::chrono::milliseconds timeout)
{
    auto runtime = std::make_unique<BlockingRuntime>();
    // The socket is made inside the runtime's io_context: every later call runs there too.
    auto client = runtime->run(connect_client(std::move(host), port, timeout));
    return BlockingClient(std::move(runtime), std::move(client));
}

BlockingClient::BlockingClient(std::unique_ptr<BlockingRuntime> runtime,
                               std::unique_ptr<Client> client)
    : runtime_(std::move(runtime)), client_(std::move(client))
{
}

BlockingClient::~BlockingClient() = default;
BlockingClient::BlockingClient(BlockingClient&&) noexcept = default;

std::string BlockingClient::ping(std::optional<std::string> message)
{
    return runtime_->run(client_->ping(std::move(message)));
}

std::optional<std::string> BlockingClient::get(std::string key)
{
    return runtime_->run(client_->get(std::move(key)));
}

void BlockingClient::set(std::string key, std::string value)
{
    runtime_->run(client_->set(std::move(key), std::move(value)));
}

void BlockingClient::set_expires(std::string key, std::string value,
                                 std::chrono::milliseconds expires)
{
    runtime_->run(client_->set_expires(std::move(key), std::move(value), expires));
}

std::int64_t BlockingClient::publish(std::string channel, std::string message)
{
    return runtime_->run(client_->publish(std::move(channel), std::move(message)));
}

BlockingSubscriber BlockingClient::subscribe(std::vector<std::string> channels) &&
{
    auto subscriber = runtime_->run(subscribe_client(std::move(client_), std::move(channels)));
    return BlockingSubscriber(std::move(runtime_), std::move(subscriber));
}

BlockingSubscriber::BlockingSubscriber(std::unique_ptr<BlockingRuntime> runtime,
                                       std::unique_ptr<Subscriber> subscriber)
    : runtime_(std::move(runtime)), subscriber_(std::move(subscriber))
{
}

BlockingSubscriber::~BlockingSubscriber() = default;
BlockingSubscriber::BlockingSubscriber(BlockingSubscriber&&) noexcept = default;

std::optional<Message> BlockingSubscriber::next_message()
{
    return runtime_->run(subscriber_->next_message());
}

void BlockingSubscriber::subscribe(std::vector<std::string> channels)
{
    runtime_->run(subscriber_->subscribe(std::move(channels)));
}

void BlockingSubscriber::unsubscribe(std::vector<std::string> channels)
{
    runtime_->run(subscriber_->unsubscribe(std::move(channels)));
}

}  // namespace mini_redis::client
