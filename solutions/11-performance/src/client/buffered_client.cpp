// The shared connection: see buffered_client.hpp. Book: chapter 09, "A buffered client".
#include "client/buffered_client.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/channel_error.hpp>

#include <spdlog/spdlog.h>

#include <utility>

namespace mini_redis::client {
namespace {

/// How many requests may wait in the queue before senders wait for room: enough for a burst,
/// small enough that a stuck server pushes back on its callers instead of piling up memory.
constexpr std::size_t queue_capacity = 32;

}  // namespace

BufferedClient::BufferedClient(asio::any_io_executor executor, Client client)
    : handle_(std::make_shared<Handle>(std::make_shared<Queue>(executor, queue_capacity)))
{
    // detached: own_connection catches every exception itself and hands it to the callers
    // waiting for replies (refuse_requests), so a completion handler would have nothing to see.
    asio::co_spawn(executor, own_connection(handle_->queue, std::move(client)), asio::detached);
}

BufferedClient::Handle::~Handle()
{
    queue->close();  // the owning task's receive fails with channel_closed, and it ends
}

asio::awaitable<void> BufferedClient::own_connection(std::shared_ptr<Queue> queue, Client client)
{
    std::exception_ptr broken;
    try {
        for (;;) {
            auto [closed, request] = co_await queue->async_receive(use_tuple);
            if (closed) {
                co_return;  // the queue is closed: every handle is gone
            }
            std::exception_ptr failure;
            Frame reply;
            try {
                reply = co_await client.request(std::move(request.command));
            } catch (...) {
                // A ServerError belongs to this caller only, and the connection goes on. After
                // an I/O error every later request fails too, with that same error (the Client
                // remembers it).
                failure = std::current_exception();
            }
            // Capacity 1 and one send per slot: this never waits.
            co_await request.reply->async_send(failure, std::move(reply), use_tuple);
        }
    } catch (const std::exception& e) {
        spdlog::error("the buffered client stopped serving requests: {}", e.what());
        broken = std::current_exception();
    } catch (...) {
        spdlog::error("the buffered client stopped serving requests");
        broken = std::current_exception();
    }
    // No co_await is allowed inside a catch block, hence the exception_ptr.
    co_await refuse_requests(*queue, broken);
}

asio::awaitable<void> BufferedClient::refuse_requests(Queue& queue, std::exception_ptr failure)
{
    for (;;) {
        auto [closed, request] = co_await queue.async_receive(use_tuple);
        if (closed) {
            co_return;
        }
        Frame no_reply;  // a variable, not a temporary: see request()
        co_await request.reply->async_send(failure, std::move(no_reply), use_tuple);
    }
}

asio::awaitable<Frame> BufferedClient::request(std::vector<std::string> command)
{
    auto executor = co_await asio::this_coro::executor;
    auto reply = std::make_shared<ReplySlot>(executor, 1);
    // Waits while the queue is full. (The queue closes only when the last handle goes, so it
    // is open while this handle is here.)
    // A variable, not a temporary written into the async_send call: GCC 12 destroyed such a
    // temporary twice here (a crash in the first test that used it).
    Request request{std::move(command), reply};
    co_await handle_->queue->async_send(boost::system::error_code{}, std::move(request),
                                        asio::use_awaitable);
    // Throws what the owning task caught, or returns the reply.
    co_return co_await reply->async_receive(asio::use_awaitable);
}

asio::awaitable<std::optional<std::string>> BufferedClient::get(std::string key)
{
    std::vector<std::string> command{"GET", std::move(key)};  // no braced list in a co_await
    co_return value_of_get_reply(co_await request(std::move(command)));
}

asio::awaitable<void> BufferedClient::set(std::string key, std::string value)
{
    std::vector<std::string> command{"SET", std::move(key), std::move(value)};
    expect_ok(co_await request(std::move(command)), "SET");
}

}  // namespace mini_redis::client
