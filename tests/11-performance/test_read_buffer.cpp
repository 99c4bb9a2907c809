// Chapter 11: FrameReader holds a read buffer only while it has bytes to parse (exercises 11.1,
// the wait before the buffer, and 11.3, making room for a read), and hands out the frames in it
// without waiting (buffered_frame(), given code).
//
// Each test drives one io_context by hand, so that it can look at the reader between steps:
// poll() runs what is ready and returns, and run_until() runs handlers until a condition holds.
#include "frame.hpp"
#include "frame_reader.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/heap.hpp"

#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using mini_redis::FrameReader;
using mini_redis::testing::hang_guard;
using namespace std::chrono_literals;

namespace {

/// A FrameReader on the server's end of a fresh loopback connection, and the client's end.
struct Connection {
    /// `buffer_limit`: the reader's, FrameReader's default unless given.
    explicit Connection(boost::asio::io_context& context,
                        std::optional<std::size_t> buffer_limit = std::nullopt)
        : client(context)
    {
        mini_redis::tcp::acceptor acceptor(
            context, mini_redis::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        client.connect(acceptor.local_endpoint());
        if (buffer_limit) {
            reader.emplace(acceptor.accept(), mini_redis::ParserLimits{},
                           mini_redis::Syntax::frames, *buffer_limit);
        } else {
            reader.emplace(acceptor.accept());
        }
    }
    mini_redis::tcp::socket client;
    std::optional<FrameReader> reader;
};

/// What the reading coroutine has seen: describe() of each frame, and how it ended.
struct Seen {
    std::vector<std::string> frames;
    std::string failure;  // the exception's message, if read_frame threw
};

/// Reads frames until the end of the stream or an exception.
boost::asio::awaitable<void> read_all(FrameReader& reader, std::shared_ptr<Seen> seen)
{
    try {
        while (auto frame = co_await reader.read_frame()) {
            seen->frames.push_back(mini_redis::describe(*frame));
        }
    } catch (const std::exception& e) {
        seen->failure = e.what();
    }
}

/// Starts read_all on `context`; returns what it will have seen.
std::shared_ptr<Seen> start_reading(boost::asio::io_context& context, FrameReader& reader)
{
    auto seen = std::make_shared<Seen>();
    boost::asio::co_spawn(context, read_all(reader, seen), boost::asio::detached);
    return seen;
}

/// Runs the context's handlers until `done()` holds; fails if that takes past the hang guard.
void run_until(boost::asio::io_context& context, const std::function<bool()>& done)
{
    const auto deadline = std::chrono::steady_clock::now() + hang_guard(5s);
    while (!done()) {
        if (context.run_one_until(deadline) == 0) {
            throw std::runtime_error("the reader did not get there before the hang guard");
        }
    }
    context.poll();  // and whatever that made ready: the reader goes back to waiting
}

}  // namespace

TEST_CASE("a reader waiting for its peer holds no read buffer, before and between requests",
          "[ch11][ex11.1]")
{
    boost::asio::io_context context;
    Connection connection(context);
    const auto seen = start_reading(context, *connection.reader);
    context.poll();
    REQUIRE(seen->failure.empty());
    CHECK(connection.reader->buffer_capacity() == 0);  // nothing sent yet: nothing held

    boost::asio::write(connection.client, boost::asio::buffer(std::string("*1\r\n$4\r\nPING\r\n")));
    run_until(context, [&] { return !seen->frames.empty() || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
    CHECK(seen->frames == std::vector<std::string>{"[\"PING\"]"});
    CHECK(connection.reader->buffer_capacity() == 0);  // all of it parsed: given back

    // Two requests in one write: both are served, and the buffer is given back after the second.
    boost::asio::write(
        connection.client,
        boost::asio::buffer(std::string("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n")));
    run_until(context, [&] { return seen->frames.size() == 3 || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
    CHECK(seen->frames.back() == "[\"QUIT\"]");
    CHECK(connection.reader->buffer_capacity() == 0);
}

TEST_CASE("a shutdown, or the caller, cuts short the wait of a client that sent nothing",
          "[ch11][ex11.1]")
{
    boost::asio::io_context context;
    Connection connection(context);
    auto seen = std::make_shared<Seen>();
    auto ended = std::make_shared<bool>(false);
    boost::asio::co_spawn(
        context,
        [](FrameReader& reader, std::shared_ptr<Seen> seen) -> boost::asio::awaitable<void> {
            co_await read_all(reader, seen);
        }(*connection.reader, seen),
        [ended](std::exception_ptr) { *ended = true; });
    context.poll();
    REQUIRE_FALSE(*ended);  // waiting for bytes that do not come
    connection.reader->stop_reading();
    run_until(context, [&] { return *ended; });
    CHECK(seen->failure.empty());  // read_frame returned nothing, as for a clean close

    // The caller's cancellation (the losing side of `||`) must reach the wait too, or the `||`
    // would wait for a client who sends nothing. (The context ran out of work: restart it.)
    context.restart();
    Connection other(context);
    auto first = std::make_shared<int>(-1);
    boost::asio::co_spawn(
        context,
        [](FrameReader& reader, std::shared_ptr<int> first) -> boost::asio::awaitable<void> {
            using namespace boost::asio::experimental::awaitable_operators;
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1ms);
            const auto winner =
                co_await (reader.read_frame() || timer.async_wait(boost::asio::use_awaitable));
            *first = static_cast<int>(winner.index());
        }(*other.reader, first),
        boost::asio::detached);
    run_until(context, [&] { return *first != -1; });
    CHECK(*first == 1);  // the timer won, and the wait was cancelled
}

TEST_CASE("a partial frame is kept while the reader waits for the rest of it",
          "[ch11][ex11.1][ex11.3]")
{
    boost::asio::io_context context;
    Connection connection(context);
    const auto seen = start_reading(context, *connection.reader);
    context.poll();

    // The first half of a request: the reader reads it, finds no whole frame, and must wait for
    // more while keeping these bytes.
    boost::asio::write(connection.client,
                       boost::asio::buffer(std::string("*2\r\n$4\r\nECHO\r\n$5\r\nhe")));
    run_until(context, [&] { return connection.reader->buffer_capacity() > 0; });
    CHECK(seen->frames.empty());
    CHECK(connection.reader->buffer_capacity() > 0);  // a partial frame is in it

    boost::asio::write(connection.client, boost::asio::buffer(std::string("llo\r\n")));
    run_until(context, [&] { return !seen->frames.empty() || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
    CHECK(seen->frames == std::vector<std::string>{"[\"ECHO\", \"hello\"]"});
    CHECK(connection.reader->buffer_capacity() == 0);
}

TEST_CASE("a request larger than one read arrives whole, and its buffer is given back after",
          "[ch11][ex11.1][ex11.3]")
{
    boost::asio::io_context context;
    Connection connection(context);
    const auto seen = start_reading(context, *connection.reader);

    // Several times read_size, written from this same context as the reader makes room.
    const std::string value(5 * FrameReader::read_size + 3, 'v');
    const auto request = std::make_shared<std::string>(
        "*2\r\n$4\r\nECHO\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n");
    boost::asio::async_write(connection.client, boost::asio::buffer(*request),
                             [request](boost::system::error_code, std::size_t) {});
    run_until(context, [&] { return !seen->frames.empty() || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
    CHECK(seen->frames.front().size() == value.size() + 12);  // ["ECHO", "vvv...v"]
    CHECK(connection.reader->buffer_capacity() == 0);

    // The end of the stream between frames is still a clean end.
    connection.client.shutdown(mini_redis::tcp::socket::shutdown_send);
    context.run_for(hang_guard(5s));
    CHECK(seen->failure.empty());
    CHECK(seen->frames.size() == 1);
}

TEST_CASE("the buffer grows up to its limit and no further", "[ch11][ex11.3]")
{
    boost::asio::io_context context;
    Connection connection(context, 1000);  // below read_size: the first buffer is this big
    const auto seen = start_reading(context, *connection.reader);

    // A frame of exactly 1000 bytes fits; after it, the reader holds nothing again.
    const std::string fits = "$992\r\n" + std::string(992, 'f') + "\r\n";
    REQUIRE(fits.size() == 1000);
    boost::asio::write(connection.client, boost::asio::buffer(fits));
    run_until(context, [&] { return !seen->frames.empty() || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
    CHECK(seen->frames.front().size() == 994);  // 992 bytes and their quotes
    CHECK(connection.reader->buffer_capacity() == 0);

    // One byte more does not: the reader stops with BufferLimitExceeded, having held 1000 bytes.
    const std::string too_big = "$993\r\n" + std::string(993, 't') + "\r\n";
    boost::asio::write(connection.client, boost::asio::buffer(too_big));
    run_until(context, [&] { return !seen->failure.empty(); });
    CHECK(seen->failure == "the request is larger than the query buffer limit");
    CHECK(connection.reader->buffer_capacity() == 1000);
    CHECK(seen->frames.size() == 1);
}

TEST_CASE("a long stream of small frames never grows the buffer", "[ch11][ex11.3]")
{
    // Many frames, each split across two writes, so that every read leaves a partial frame
    // behind: without moving it to the front, the bytes would creep to the end and the buffer
    // would have to grow.
    boost::asio::io_context context;
    Connection connection(context);
    const auto seen = start_reading(context, *connection.reader);
    std::size_t largest = 0;
    const std::string frame = "*2\r\n$4\r\nECHO\r\n$100\r\n" + std::string(100, 'e') + "\r\n";
    for (int i = 0; i < 400; ++i) {
        // Whole frames and then half of one; the other half starts the next write.
        std::string burst = i == 0 ? "" : frame.substr(frame.size() / 2);
        for (int k = 0; k < 5; ++k) {
            burst += frame;
        }
        burst += frame.substr(0, frame.size() / 2);
        boost::asio::write(connection.client, boost::asio::buffer(burst));
        const std::size_t want = 5 + 6 * static_cast<std::size_t>(i);  // whole frames sent so far
        run_until(context, [&] { return seen->frames.size() >= want || !seen->failure.empty(); });
        REQUIRE(seen->failure.empty());
        largest = std::max(largest, connection.reader->buffer_capacity());
    }
    CHECK(largest == FrameReader::read_size);
}

namespace {

/// Reads one frame with read_frame(), the way the session waits for its client: returns once
/// that frame is in `seen`, with whatever else the read brought left in the reader's buffer.
void read_one(boost::asio::io_context& context, FrameReader& reader, std::shared_ptr<Seen> seen)
{
    const std::size_t before = seen->frames.size();
    context.restart();  // a context that ran out of work stays stopped until restarted
    boost::asio::co_spawn(
        context,
        [](FrameReader& reader, std::shared_ptr<Seen> seen) -> boost::asio::awaitable<void> {
            try {
                if (auto frame = co_await reader.read_frame()) {
                    seen->frames.push_back(mini_redis::describe(*frame));
                }
            } catch (const std::exception& e) {
                seen->failure = e.what();
            }
        }(reader, seen),
        boost::asio::detached);
    run_until(context, [&] { return seen->frames.size() > before || !seen->failure.empty(); });
    REQUIRE(seen->failure.empty());
}

}  // namespace

TEST_CASE("a thread keeps two spare buffers, however many readers give theirs back", "[ch11]")
{
    // Twelve readers on this thread each hold a buffer at once, for half a request, then give
    // it back when the rest has come and is parsed. Kept, the buffers would still take
    // 12 x 16 KB; the thread keeps two and frees the rest.
    constexpr std::size_t readers = 12;
    boost::asio::io_context context;
    std::vector<std::unique_ptr<Connection>> connections;
    std::vector<std::shared_ptr<Seen>> seen;
    for (std::size_t i = 0; i < readers; ++i) {
        connections.push_back(std::make_unique<Connection>(context));
        seen.push_back(start_reading(context, *connections.back()->reader));
    }
    context.poll();
    const auto before = static_cast<long long>(mini_redis::testing::heap_in_use());
    const std::string ping = "*1\r\n$4\r\nPING\r\n";
    for (auto& connection : connections) {
        boost::asio::write(connection->client, boost::asio::buffer(ping.substr(0, 9)));
    }
    run_until(context, [&] {
        return std::all_of(connections.begin(), connections.end(),
                           [](const auto& c) { return c->reader->buffer_capacity() > 0; });
    });
    for (auto& connection : connections) {
        boost::asio::write(connection->client, boost::asio::buffer(ping.substr(9)));
    }
    run_until(context, [&] {
        return std::all_of(seen.begin(), seen.end(),
                           [](const auto& s) { return !s->frames.empty() || !s->failure.empty(); });
    });
    for (std::size_t i = 0; i < readers; ++i) {
        REQUIRE(seen[i]->failure.empty());
        CHECK(connections[i]->reader->buffer_capacity() == 0);
    }
    const auto held = static_cast<long long>(mini_redis::testing::heap_in_use()) - before;
    INFO("the readers' thread holds " << held << " bytes more than before their requests");
    CHECK(held <=
          static_cast<long long>((FrameReader::spares_per_thread + 1) * FrameReader::read_size));
}

TEST_CASE("the frames a read brought are taken at once, and a partial one is kept", "[ch11]")
{
    boost::asio::io_context context;
    Connection connection(context);
    auto& reader = *connection.reader;
    const std::string ping = "*1\r\n$4\r\nPING\r\n";
    const std::string echo = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
    boost::asio::write(connection.client,
                       boost::asio::buffer(ping + echo + "+OK\r\n" + echo.substr(0, 9)));
    const auto seen = std::make_shared<Seen>();
    read_one(context, reader, seen);
    REQUIRE(seen->frames == std::vector<std::string>{"[\"PING\"]"});

    // No coroutine and no waiting: these calls return at once, in order.
    const auto second = reader.buffered_frame();
    REQUIRE(second.has_value());
    CHECK(mini_redis::describe(*second) == "[\"ECHO\", \"hello\"]");
    const auto third = reader.buffered_frame();
    REQUIRE(third.has_value());
    CHECK(*third == mini_redis::Frame::simple("OK"));
    // Half an ECHO is left: not a frame yet, and kept for the read that completes it.
    CHECK_FALSE(reader.buffered_frame().has_value());
    CHECK_FALSE(reader.buffered_frame().has_value());
    CHECK(reader.buffer_capacity() > 0);

    boost::asio::write(connection.client, boost::asio::buffer(echo.substr(9)));
    read_one(context, reader, seen);
    CHECK(seen->frames.back() == "[\"ECHO\", \"hello\"]");
    CHECK_FALSE(reader.buffered_frame().has_value());
}

TEST_CASE("a buffered frame that is not RESP is a protocol error at once", "[ch11]")
{
    boost::asio::io_context context;
    Connection connection(context);
    boost::asio::write(connection.client, boost::asio::buffer(std::string("+OK\r\n!what\r\n")));
    const auto seen = std::make_shared<Seen>();
    read_one(context, *connection.reader, seen);
    CHECK_THROWS_AS(connection.reader->buffered_frame(), mini_redis::ProtocolError);
}

TEST_CASE("with nothing buffered, or once reading has stopped, there is no frame", "[ch11]")
{
    boost::asio::io_context context;
    Connection connection(context);
    CHECK_FALSE(connection.reader->buffered_frame().has_value());  // nothing has arrived

    boost::asio::write(connection.client, boost::asio::buffer(std::string("+A\r\n+B\r\n")));
    const auto seen = std::make_shared<Seen>();
    read_one(context, *connection.reader, seen);
    connection.reader->stop_reading();  // a shutdown: no more requests, even buffered ones
    CHECK_FALSE(connection.reader->buffered_frame().has_value());
}
