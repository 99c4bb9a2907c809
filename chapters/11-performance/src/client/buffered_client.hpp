// BufferedClient: one connection shared by many coroutines, through a queue.
//
// A Client sends a command and waits for its reply, so two coroutines using one Client at once
// would interleave their bytes and take each other's replies. Rather than a connection each,
// they can share one: every request goes into a queue (an Asio channel), and one task that owns
// the Client takes them out in order, sends each and hands the reply back to whoever asked.
// Book: chapter 09, "A buffered client".
#pragma once

#include "client/client.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mini_redis::client {

/// A cheap handle to a shared connection: copy it into every coroutine that needs the server.
/// Callers may run on any thread. When the last copy is gone, the queue closes and the task that
/// owns the connection ends, closing it.
class BufferedClient {
public:
    /// Starts the task that owns `client`, on `executor` (usually the caller's).
    BufferedClient(asio::any_io_executor executor, Client client);

    /// GET through the shared connection: see Client::get.
    asio::awaitable<std::optional<std::string>> get(std::string key);
    /// SET through the shared connection: see Client::set.
    asio::awaitable<void> set(std::string key, std::string value);

private:
    /// Where one reply goes: a channel of capacity 1 that the owning task sends the reply (or
    /// the exception that stopped it) into, and the caller receives from.
    using ReplySlot = asio::experimental::concurrent_channel<void(std::exception_ptr, Frame)>;
    struct Request {
        std::vector<std::string> command;
        std::shared_ptr<ReplySlot> reply;
    };
    using Queue = asio::experimental::concurrent_channel<void(boost::system::error_code, Request)>;
    /// Closes the queue when the last handle goes away.
    struct Handle {
        explicit Handle(std::shared_ptr<Queue> opened) : queue(std::move(opened)) {}
        ~Handle();
        Handle(const Handle&) = delete;
        Handle& operator=(const Handle&) = delete;
        std::shared_ptr<Queue> queue;
    };

    /// The task that owns the connection: takes requests out of `queue` in order and answers
    /// each, until the queue closes.
    static asio::awaitable<void> own_connection(std::shared_ptr<Queue> queue, Client client);
    /// Answers every request with `failure` until the queue closes: what is left to do once
    /// own_connection's loop itself failed, so that callers get an error, not an endless wait.
    static asio::awaitable<void> refuse_requests(Queue& queue, std::exception_ptr failure);
    asio::awaitable<Frame> request(std::vector<std::string> command);

    std::shared_ptr<Handle> handle_;
};

}  // namespace mini_redis::client
