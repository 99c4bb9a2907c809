// The buffered frame reader and writer: see connection.hpp. Book: chapter 02, "The connection".
#include "connection.hpp"

#include "mini_redis/exercise.hpp"

#include <cstring>

namespace mini_redis {
namespace {

/// The read buffer starts this small (an idle connection costs little) and doubles when a frame
/// needs more room.
constexpr std::size_t initial_buffer_size = 4096;

}  // namespace

Connection::Connection(tcp::socket socket, ParserLimits limits)
    : socket_(std::move(socket)), parser_(limits), buffer_(initial_buffer_size)
{
}

// [book: read-frame]
asio::awaitable<std::optional<Frame>> Connection::read_frame()
{
    // EXERCISE 02.4: Read frames from a growable buffer
    //
    // Return the next frame. Loop: ask parser_ for a frame in buffer_[begin_, end_). A frame:
    // advance begin_ by `consumed` and return it. An error: throw ProtocolError. Needs more:
    // make room (move the unparsed bytes to the front; double buffer_ when it is full), send
    // the queued replies (co_await flush()), then co_await one async_read_some into the free
    // space and add what arrived to end_. End of stream with no unparsed bytes is a clean close
    // (return std::nullopt); with bytes left, or any other error, throw
    // boost::system::system_error.
    //
    // Check: ./workbook test 2   Stuck? ./workbook hint 02.4
    mini_redis::unused(parser_, buffer_, begin_, end_);
    co_return co_await mini_redis::co_todo<std::optional<Frame>>("02.4", "book/02-framing.md#exercise-024-the-read-loop");
    // END EXERCISE 02.4
}
// [end book: read-frame]

// [book: queue-flush]
void Connection::queue_frame(const Frame& frame)
{
    encode(frame, output_);
}

asio::awaitable<void> Connection::flush()
{
    if (output_.empty()) {
        co_return;
    }
    // async_write loops until every byte is written; use_awaitable throws on failure. While it
    // waits for a slow client, this session reads nothing more: back-pressure, for free.
    co_await asio::async_write(socket_, asio::buffer(output_), asio::use_awaitable);
    output_.clear();
}
// [end book: queue-flush]

}  // namespace mini_redis
