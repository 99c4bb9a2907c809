// The buffered frame reader: see frame_reader.hpp. Book: chapter 02, "The connection".
#include "frame_reader.hpp"

#include <cstring>

namespace mini_redis {
namespace {

/// The read buffer starts this small (an idle connection costs little) and doubles when a frame
/// needs more room.
constexpr std::size_t initial_buffer_size = 4096;

}  // namespace

FrameReader::FrameReader(tcp::socket socket, ParserLimits limits, Syntax syntax)
    : socket_(std::move(socket)), parser_(limits, syntax), buffer_(initial_buffer_size)
{
}

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
        if (end_ == buffer_.size()) {
            buffer_.resize(buffer_.size() * 2);
        }

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

}  // namespace mini_redis
