// The buffered frame reader: see frame_reader.hpp. Book: chapter 02, "The connection".
#include "frame_reader.hpp"

#include "mini_redis/exercise.hpp"

#include <algorithm>
#include <cstring>

namespace mini_redis {
namespace {

/// The read buffer starts this small (an idle connection costs little) and doubles when a frame
/// needs more room.
constexpr std::size_t initial_buffer_size = 4096;

}  // namespace

FrameReader::FrameReader(tcp::socket socket, ParserLimits limits, Syntax syntax,
                         std::size_t buffer_limit)
    : socket_(std::move(socket)),
      parser_(limits, syntax),
      buffer_(initial_buffer_size),
      buffer_limit_(buffer_limit)
{
}

// [book: read-frame]
asio::awaitable<std::optional<Frame>> FrameReader::read_frame()
{
    for (;;) {
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

        // Not a whole frame yet: make room at the end of the buffer, then read more. Moving
        // the unparsed bytes to the front is cheap (at most one partial frame) and keeps the
        // buffer from growing just because we consumed from its front.
        if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        // EXERCISE 07.3: Grow the buffer, but not past its limit
        //
        // If the buffer is full (end_ == buffer_.size()), grow it: double it, but never past
        // buffer_limit_; if it already is at the limit, throw BufferLimitExceeded (the session
        // then closes the connection). Otherwise, if the buffer is empty (end_ == 0) and larger
        // than 16 times initial_buffer_size, shrink it back to initial_buffer_size (resize,
        // then shrink_to_fit) so an idle connection costs little memory.
        //
        // Check: ./workbook test 7   Stuck? ./workbook hint 07.3
        mini_redis::unused(buffer_limit_);
        mini_redis::todo("07.3", "book/07-connection-limits.md#exercise-073-a-bounded-read-buffer");
        // END EXERCISE 07.3

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
    }
}
// [end book: read-frame]

}  // namespace mini_redis
