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
[[maybe_unused]] asio::awaitable<void> read_requests(FrameReader& connection, std::shared_ptr<Outbox> outbox, Db db,
                                    std::string peer)
{
    Subscriptions subscriptions(db, outbox);
    // A client that sends faster than it reads pauses here, until the writer has sent most of
    // what is queued: its replies never pile up without bound.
    const Subscriptions::Pause wait_for_room = [&outbox] { return outbox->wait_for_room(); };
    try {
        // EXERCISE 06.3: Read requests, and pause while replies pile up
        //
        // Read frames until the client closes the connection (read_frame() returns no frame).
        // Answer each with respond(parse_command(...), db, subscriptions, *outbox,
        // wait_for_room); stop when it returns false (QUIT). After each request, co_await
        // wait_for_room(), so that a client that does not read its replies stops being read.
        //
        // Check: ./workbook test 6   Stuck? ./workbook hint 06.3
        mini_redis::unused(connection, wait_for_room);
        co_await mini_redis::co_todo("06.3", "book/06-pub-sub.md#exercise-063-the-reader");
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
[[maybe_unused]] asio::awaitable<void> write_replies(FrameReader& connection, Outbox& outbox, std::string peer)
{
    // EXERCISE 06.9: Send whatever the outbox holds
    //
    // Send what the outbox holds until it is closed: loop on `co_await outbox.take(batch)`,
    // which suspends until something is queued and hands you everything at once, and write each
    // batch with asio::async_write, bound to outbox.write_cancellation() so that an overflow
    // can cancel a write the client never reads. On a write error (a cancelled write included),
    // log it, close the outbox and stop.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.9
    co_await mini_redis::co_todo("06.9", "book/06-pub-sub.md#exercise-069-the-writer");
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
    //
    // Make the session's outbox (shared, on this coroutine's executor, the strand, with
    // message_limit), then run read_requests and write_replies side by side and return once
    // both have ended.
    //
    // Check: ./workbook test 6   Stuck? ./workbook hint 06.6
    mini_redis::unused(db, message_limit, peer);
    co_await mini_redis::co_todo("06.6", "book/06-pub-sub.md#exercise-066-both-halves");
    // END EXERCISE 06.6
}
// [end book: session]

}  // namespace mini_redis
