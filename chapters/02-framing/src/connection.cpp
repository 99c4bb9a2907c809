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
    for (;;) {
        // EXERCISE 02.7: Serve the frames already in the buffer
        //
        // Before reading anything, ask parser_ for a frame in buffer_[begin_, end_). A frame:
        // advance begin_ by `consumed` and return it. An error: throw ProtocolError with the
        // parser's reason. Needs more: fall through to the code below, which makes room and
        // reads.
        //
        // Check: ./workbook test 2   Stuck? ./workbook hint 02.7
        mini_redis::unused(parser_, buffer_, begin_, end_);
        co_return co_await mini_redis::co_todo<std::optional<Frame>>("02.7", "book/02-framing.md#exercise-027-frames-already-in-the-buffer");
        // END EXERCISE 02.7

        // EXERCISE 02.8: Make room: move the unparsed bytes to the front, then grow
        //
        // The buffer holds no whole frame, and a read is due. Make room at its end: if begin_ >
        // 0, move the unparsed bytes buffer_[begin_, end_) to the front and move the indices
        // with them; then, if the buffer is still full, double its size.
        //
        // Check: ./workbook test 2   Stuck? ./workbook hint 02.8
        mini_redis::todo("02.8", "book/02-framing.md#exercise-028-making-room");
        // END EXERCISE 02.8

        // EXERCISE 02.9: Read more, and tell a clean close from a frame cut off
        //
        // Send the queued replies (co_await flush()), then co_await one async_read_some into
        // the free space buffer_[end_, buffer_.size()) and add what arrived to end_. End of
        // stream with no unparsed bytes is a clean close (return std::nullopt); end of stream
        // with bytes left (a frame cut off), or any other error, throws
        // boost::system::system_error(error, "reading a frame").
        //
        // Check: ./workbook test 2   Stuck? ./workbook hint 02.9
        co_return co_await mini_redis::co_todo<std::optional<Frame>>("02.9", "book/02-framing.md#exercise-029-reading-more");
        // END EXERCISE 02.9
    }
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
