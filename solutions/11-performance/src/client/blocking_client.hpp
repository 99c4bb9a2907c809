// BlockingClient: the async Client for code that is not a coroutine, as plain function calls.
//
// A program with no event loop of its own (a script, a test, a GUI callback) still wants
// `client.get("k")` to just return the value. The blocking client owns an io_context running on
// a thread of its own; each call hands a coroutine to that thread and waits for its result.
// Book: chapter 09, "A blocking client".
#pragma once

#include "client/client.hpp"
#include "client/subscriber.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mini_redis::client {

/// An io_context with a thread that runs it until the runtime is destroyed.
class BlockingRuntime {
public:
    BlockingRuntime();
    /// Stops the io_context and joins the thread.
    ~BlockingRuntime();
    BlockingRuntime(const BlockingRuntime&) = delete;
    BlockingRuntime& operator=(const BlockingRuntime&) = delete;

    /// Runs `task` on the runtime's thread and blocks the caller until it finishes. Returns
    /// what the coroutine returns, or throws what it throws. Never call it from the runtime's
    /// own thread: it would wait for itself.
    template <typename T>
    T run(asio::awaitable<T> task)
    {
        auto result = asio::co_spawn(context_, std::move(task), asio::use_future);
        return result.get();
    }

private:
    asio::io_context context_;
    // Keeps run() from returning while no operation is pending (between two calls).
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

/// A subscriber with blocking calls: see Subscriber.
class BlockingSubscriber {
public:
    BlockingSubscriber(std::unique_ptr<BlockingRuntime> runtime,
                       std::unique_ptr<Subscriber> subscriber);
    ~BlockingSubscriber();
    BlockingSubscriber(BlockingSubscriber&&) noexcept;

    std::optional<Message> next_message();
    void subscribe(std::vector<std::string> channels);
    void unsubscribe(std::vector<std::string> channels = {});
    const std::vector<std::string>& channels() const noexcept { return subscriber_->channels(); }

private:
    // The runtime is declared first, so it is destroyed last: after the subscriber, whose socket
    // belongs to it.
    std::unique_ptr<BlockingRuntime> runtime_;
    std::unique_ptr<Subscriber> subscriber_;
};

/// A client with blocking calls: each one returns when the server replied, or throws as the
/// Client's does (ServerError, boost::system::system_error, ProtocolError). Move-only. One
/// thread at a time: two threads calling at once would mix their commands on one connection
/// (share a BufferedClient for that).
class BlockingClient {
public:
    /// Connects as Client::connect does; `timeout`, unless zero, bounds the connecting and then
    /// every call (see Client::set_timeout): a server that never answers cannot block the
    /// caller for ever.
    static BlockingClient connect(std::string host, unsigned short port,
                                  std::chrono::milliseconds timeout = {});
    ~BlockingClient();
    BlockingClient(BlockingClient&&) noexcept;
    /// Bounds every later call: see Client::set_timeout.
    void set_timeout(std::chrono::milliseconds timeout) noexcept { client_->set_timeout(timeout); }

    std::string ping(std::optional<std::string> message = std::nullopt);
    std::optional<std::string> get(std::string key);
    void set(std::string key, std::string value);
    void set_expires(std::string key, std::string value, std::chrono::milliseconds expires);
    std::int64_t publish(std::string channel, std::string message);
    /// Consumes the client, as Client::subscribe does.
    BlockingSubscriber subscribe(std::vector<std::string> channels) &&;

private:
    BlockingClient(std::unique_ptr<BlockingRuntime> runtime, std::unique_ptr<Client> client);

    std::unique_ptr<BlockingRuntime> runtime_;  // destroyed last, see BlockingSubscriber
    std::unique_ptr<Client> client_;
};

}  // namespace mini_redis::client
