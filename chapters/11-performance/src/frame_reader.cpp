// The buffered frame reader: see frame_reader.hpp. Book: chapter 02, "The connection"; chapter
// 11, "A buffer only while reading".
#include "frame_reader.hpp"

#include "mini_redis/exercise.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace mini_redis {

FrameReader::FrameReader(tcp::socket socket, ParserLimits limits, Syntax syntax,
                         std::size_t buffer_limit)
    : socket_(std::move(socket)), parser_(limits, syntax), buffer_limit_(buffer_limit)
{
    // For read_frame's plain read after a wait. A socket that is not open fails here, and
    // again, with its error, at its first read.
    boost::system::error_code not_open;
    socket_.non_blocking(true, not_open);
}

namespace {

/// The read buffers this thread keeps for its readers: see FrameReader::give_back. One list
/// per thread, so no lock: a reader runs on one thread at a time, and takes from and gives to
/// the list of the thread it is on.
thread_local std::vector<std::unique_ptr<char[]>> spare_buffers;

}  // namespace

std::unique_ptr<char[]> FrameReader::take_buffer(std::size_t size)
{
    if (size == read_size && !spare_buffers.empty()) {
        auto buffer = std::move(spare_buffers.back());
        spare_buffers.pop_back();
        return buffer;
    }
    return std::make_unique_for_overwrite<char[]>(size);
}

void FrameReader::give_back(std::unique_ptr<char[]> buffer, std::size_t size)
{
    if (buffer && size == read_size && spare_buffers.size() < spares_per_thread) {
        spare_buffers.push_back(std::move(buffer));
    }
}

void FrameReader::make_room()
{
    // EXERCISE 11.3: Make room for a read
    //
    // Make room for the next read at buffer_[end_, capacity_). No buffer yet: take one of
    // read_size bytes (no more than buffer_limit_) with take_buffer(), and start empty.
    // Otherwise move the unparsed bytes [begin_, end_) to the front; and when they fill the
    // whole buffer, double it, up to buffer_limit_, keeping them, or throw BufferLimitExceeded
    // if it is that big already.
    //
    // Check: ./workbook test 11   Stuck? ./workbook hint 11.3
    mini_redis::unused(buffer_limit_);
    mini_redis::todo("11.3", "book/11-performance.md#exercise-113-making-room-for-a-read");
    // END EXERCISE 11.3
}

asio::awaitable<std::optional<Frame>> FrameReader::read_frame()
{
    for (;;) {
        if (stopped_) {
            co_return std::nullopt;  // shutting down: no more requests from this client
        }
        // First try the bytes we already have: one read often brings several frames, and
        // the later ones must be served without waiting for the network.
        if (auto frame = buffered_frame()) {
            co_return frame;
        }

        // Not a whole frame yet: we must wait for the peer. Both waits below are bound to
        // stop_reading_, so a shutdown can cut them short (stop_reading()). The binding takes
        // the place of the cancellation slot the wait would otherwise get from whoever awaits
        // read_frame (a client's deadline, one side of an `a || b`), so a cancellation from
        // there is passed on to stop_reading_ for as long as the wait lasts. (A coroutine
        // started without a cancellation slot has none to pass on.)
        auto caller = (co_await asio::this_coro::cancellation_state).slot();
        if (caller.is_connected()) {
            caller.assign([this](asio::cancellation_type type) { stop_reading_.emit(type); });
        }
        boost::system::error_code error;
        // [book: wait-then-read]
        // EXERCISE 11.1: Wait for bytes before holding a buffer
        //
        // Nothing is buffered (begin_ == end_): give the buffer back (give_back(), then
        // capacity_, begin_ and end_ all to nothing), then wait until the socket has bytes to
        // read, with socket_.async_wait, bound to stop_reading_'s slot like the read below it.
        // Put the wait's error_code into `error`. When bytes are buffered (a partial frame),
        // keep them and do not wait: the read below goes on.
        //
        // Check: ./workbook test 11   Stuck? ./workbook hint 11.1
        co_await mini_redis::co_todo("11.1", "book/11-performance.md#exercise-111-a-buffer-only-while-reading");
        // END EXERCISE 11.1
        std::size_t n = 0;
        if (!error && !stopped_) {
            // No buffer: the wait above has just said that bytes are here. A plain read takes
            // them at once, where a co_await would suspend the coroutine a second time. (The
            // socket is non-blocking: a read that finds nothing says would_block, never waits.)
            const bool ready = !buffer_;
            make_room();
            const auto room = asio::buffer(buffer_.get() + end_, capacity_ - end_);
            if (ready) {
                n = socket_.read_some(room, error);
            }
            if (!ready || error == asio::error::would_block) {
                // Suspends until the peer sends something; other connections are served
                // meanwhile.
                std::tie(error, n) = co_await socket_.async_read_some(
                    room, asio::bind_cancellation_slot(stop_reading_.slot(), use_tuple));
            }
        }
        // [end book: wait-then-read]
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

std::optional<Frame> FrameReader::buffered_frame()
{
    if (stopped_ || begin_ == end_) {
        return std::nullopt;
    }
    auto result = parser_.parse(std::string_view(buffer_.get() + begin_, end_ - begin_));
    if (result.status == Parser::Status::error) {
        throw ProtocolError(result.error);
    }
    if (result.status == Parser::Status::needs_more) {
        return std::nullopt;
    }
    begin_ += result.consumed;
    return std::move(result.frame);
}

void FrameReader::stop_reading()
{
    stopped_ = true;
    stop_reading_.emit(asio::cancellation_type::terminal);
}

}  // namespace mini_redis
