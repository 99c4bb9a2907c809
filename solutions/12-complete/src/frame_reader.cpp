// The buffered frame reader: see frame_reader.hpp. Book: chapter 02, "The connection".
#include "frame_reader.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>

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

asio::awaitable<std::optional<Frame>> FrameReader::read_frame()
{
    for (;;) {
        if (stopped_) {
            co_return std::nullopt;  // shutting down: no more requests from this client
        }
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
            // Full of an incomplete frame: grow, unless that passes the limit. Without a limit,
            // a client could make us hold gigabytes by never finishing a request.
            if (buffer_.size() >= buffer_limit_) {
                throw BufferLimitExceeded("the request is larger than the query buffer limit");
            }
            buffer_.resize(std::min(buffer_.size() * 2, buffer_limit_));
        } else if (end_ == 0 && buffer_.size() > 16 * initial_buffer_size) {
            // Empty after a big request: give the memory back, so an idle connection stays small.
            buffer_.resize(initial_buffer_size);
            buffer_.shrink_to_fit();
        }

        // Suspends until the peer sends something; other connections are served meanwhile.
        // Bound to stop_reading_, so a shutdown can cut this wait short (stop_reading()). The
        // binding takes the place of the cancellation slot the read would otherwise get from
        // whoever awaits read_frame (a client's deadline, one side of an `a || b`), so a
        // cancellation from there is passed on to stop_reading_ for as long as the read lasts.
        // (A coroutine started without a cancellation slot has none to pass on.)
        boost::system::error_code error;
        std::size_t n = 0;
        auto caller = (co_await asio::this_coro::cancellation_state).slot();
        if (caller.is_connected()) {
            caller.assign([this](asio::cancellation_type type) { stop_reading_.emit(type); });
        }
        std::tie(error, n) = co_await socket_.async_read_some(
            asio::buffer(buffer_.data() + end_, buffer_.size() - end_),
            asio::bind_cancellation_slot(stop_reading_.slot(), use_tuple));
        if (caller.is_connected()) {
            caller.clear();
        }
        if (stopped_) {
            co_return std::nullopt;
        }
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

void FrameReader::stop_reading()
{
    stopped_ = true;
    stop_reading_.emit(asio::cancellation_type::terminal);
}

}  // namespace mini_redis
