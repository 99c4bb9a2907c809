// A client's session as a reader and a writer: see session.hpp. Book: chapter 06, "Reader,
// writer and outbox", and "Subscriber mode".
#include "session.hpp"

#include "command.hpp"
#include "frame_reader.hpp"
#include "outbox.hpp"
#include "respond.hpp"
#include "subscriptions.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <memory>
#include <string>

namespace mini_redis {
namespace {

/// The text of a peer's address for log lines.
std::string address_and_port(const tcp::endpoint& peer)
{
    return peer.address().to_string() + ":" + std::to_string(peer.port());
}

// [book: reader]
/// The reader: requests in, replies into the outbox. Ends when the client closes the connection,
/// sends QUIT, sends something that is not RESP, the writer shut the socket down, or anything
/// else fails; then it closes the outbox so the writer can finish.
asio::awaitable<void> read_requests(FrameReader& connection, std::shared_ptr<Outbox> outbox, Db db,
                                    std::string peer)
{
    Subscriptions subscriptions(db, outbox);
    // A client that sends faster than it reads pauses here, until the writer has sent most of
    // what is queued: its replies never pile up without bound.
    const Subscriptions::Pause wait_for_room = [&outbox] { return outbox->wait_for_room(); };
    try {
        // EXERCISE 06.3: Read requests, and pause while replies pile up
        while (auto request = co_await connection.read_frame()) {
            // In a variable, not a temporary inside the co_await: GCC 12 may destroy such a
            // temporary twice when an exception is caught in the same coroutine.
            auto responding = respond(parse_command(std::move(*request)), db, subscriptions,
                                      *outbox, wait_for_room);
            const bool go_on = co_await std::move(responding);
            if (!go_on) {
                break;  // QUIT
            }
            co_await wait_for_room();
        }
        // END EXERCISE 06.3
        spdlog::debug("client {} closed the connection", peer);
    } catch (const ProtocolError& e) {
        // Replies to the requests before the bad one are queued already; this one follows.
        spdlog::info("client {}: protocol error: {}", peer, e.what());
        outbox->queue(Frame::error(std::string("ERR Protocol error: ") + e.what()));
    } catch (const boost::system::system_error& e) {
        // A clean close between frames ends the loop above; end of stream here means the client
        // left in the middle of a frame (or the writer shut the socket down).
        spdlog::info("client {}: {}", peer,
                     e.code() == asio::error::eof ? "closed the connection in the middle of a frame"
                                                  : e.code().message());
    } catch (const std::exception& e) {
        // Anything else (std::bad_alloc, a bug) ends this session alone; the server serves on.
        spdlog::error("client {}: {}; disconnected", peer, e.what());
    }
    outbox->close();  // the writer sends what is queued, then ends
}
// [end book: reader]

// [book: writer]
/// The writer: empties the outbox onto the socket, one write per batch. Ends when the outbox is
/// closed and empty, or a write fails; either way it shuts the socket down, which ends the
/// reader's pending read too.
asio::awaitable<void> write_replies(FrameReader& connection, Outbox& outbox, std::string peer)
{
    // EXERCISE 06.9: Send whatever the outbox holds
    std::string batch;
    // take() suspends until something is queued, by our reader or by any publisher.
    while (co_await outbox.take(batch)) {
        // Bound to the outbox's cancellation slot: an overflow cancels the write (see
        // Outbox::write_cancellation).
        auto [error, written] = co_await asio::async_write(
            connection.socket(), asio::buffer(batch),
            asio::bind_cancellation_slot(outbox.write_cancellation(), use_tuple));
        if (error) {
            spdlog::info("client {}: {}", peer, error.message());
            outbox.close();
            break;
        }
    }
    // END EXERCISE 06.9
    if (outbox.overflowed()) {
        spdlog::warn("client {} read its subscriptions' messages too slowly; disconnected", peer);
    }
    boost::system::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
}
// [end book: writer]

}  // namespace

// [book: session]
asio::awaitable<void> session(tcp::socket socket, Db db, std::size_t message_limit)
{
    boost::system::error_code ignored;
    const std::string peer = address_and_port(socket.remote_endpoint(ignored));
    FrameReader connection(std::move(socket), {}, Syntax::requests);
    // EXERCISE 06.6: Start the reader and the writer
    // The outbox lives as long as anyone holds it: this session, and the channels it subscribed
    // to until the reader's Subscriptions leaves them.
    auto outbox = std::make_shared<Outbox>(co_await asio::this_coro::executor, message_limit);

    // Run reader and writer side by side on this session's strand, and return when both have
    // ended. (`a && b` starts both awaitables and waits for both; if one throws, the other is
    // cancelled.)
    using namespace asio::experimental::awaitable_operators;
    co_await (read_requests(connection, outbox, db, peer) &&
              write_replies(connection, *outbox, peer));
    // END EXERCISE 06.6
}
// [end book: session]

}  // namespace mini_redis
