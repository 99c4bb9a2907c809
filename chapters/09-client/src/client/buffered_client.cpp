// The shared connection: see buffered_client.hpp. Book: chapter 09, "A buffered client".
#include "client/buffered_client.hpp"

#include "mini_redis/exercise.hpp"

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

// [book: handle]
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
// [end book: handle]

// [book: own-connection]
asio::awaitable<void> BufferedClient::own_connection(std::shared_ptr<Queue> queue, Client client)
{
    std::exception_ptr broken;
    try {
        // EXERCISE 09.4: Serve the queue's requests, one at a time
        //
        // Loop: receive the next Request from the queue (co_await
        // queue->async_receive(use_tuple)); an error means the queue is closed, every handle is
        // gone: return. Run the request on `client` (client.request(...)), catching any
        // exception into a std::exception_ptr, and send the outcome to request.reply:
        // async_send(exception_ptr, Frame). Then the next request.
        //
        // Check: ./workbook test 9   Stuck? ./workbook hint 09.4
        mini_redis::unused(client);
        co_await mini_redis::co_todo("09.4", "book/09-client.md#exercise-094-the-task-that-owns-the-connection");
        // END EXERCISE 09.4
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
// [end book: own-connection]

// [book: refuse-requests]
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
// [end book: refuse-requests]

// [book: buffered-request]
asio::awaitable<Frame> BufferedClient::request(std::vector<std::string> command)
{
    // EXERCISE 09.10: Queue the request with a reply slot of its own, and wait on it
    //
    // Send `command` to the owning task through handle_->queue, as a Request with a reply slot
    // (a ReplySlot of capacity 1) made for this call alone, then wait on that slot and return
    // what arrives there: the reply, or the exception the owning task caught, rethrown. Many
    // callers run this at once on one connection; each must get the reply to its own command.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.10
    mini_redis::unused(command);
    co_return co_await mini_redis::co_todo<Frame>("09.10", "book/09-client.md#exercise-0910-a-reply-slot-per-request");
    // END EXERCISE 09.10
}
// [end book: buffered-request]

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
