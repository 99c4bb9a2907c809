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
        // First try the bytes we already have: one read often brings several frames, and
        // the later ones must be served without waiting for the network.
        auto result = parser_.parse(std::string_view(buffer_.data() + begin_, end_ - begin_));
        if (result.status == Parser::Status::frame) {
            begin_ += result.consumed;
            co_return std::move(result.frame);
        }
        if (result.status == Parser::Status::error) {
            throw ProtocolError(result.error);
        }
        // END EXERCISE 02.7

        // EXERCISE 02.8: Make room: move the unparsed bytes to the front, then grow
        // Not a whole frame yet: make room at the end of the buffer, then read more. Moving
        // the unparsed bytes to the front is cheap (at most one partial frame) and keeps the
        // buffer from growing just because we consumed from its front.
        if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (end_ == buffer_.size()) {
            buffer_.resize(buffer_.size() * 2);
        }
        // END EXERCISE 02.8

        // EXERCISE 02.9: Read more, and tell a clean close from a frame cut off
        // We are about to wait for the client, so every reply to what it sent so far goes out
        // now, in one write.
        co_await flush();

        // Suspends until the peer sends something; other connections are served meanwhile.
        auto [error, n] = co_await socket_.async_read_some(
            asio::buffer(buffer_.data() + end_, buffer_.size() - end_), use_tuple);
        if (error == asio::error::eof && begin_ == end_) {
            co_return std::nullopt;  // closed between frames: a clean end
        }
        if (error) {
            // eof here means the peer left in the middle of a frame: an error, not an end.
            throw boost::system::system_error(error, "reading a frame");
        }
        end_ += n;
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
