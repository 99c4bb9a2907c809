// Chapter 02: Connection and the frame echo server, through real sockets. Exercises 02.7 to 02.9.
#include "connection.hpp"
#include "server.hpp"

#include "mini_redis/testing/allocations.hpp"
#include "mini_redis/testing/block_on.hpp"
#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <boost/asio/detached.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <limits>
#include <new>
#include <string>
#include <vector>

namespace asio = mini_redis::asio;
using mini_redis::Connection;
using mini_redis::tcp;
using mini_redis::testing::block_on;
using mini_redis::testing::ServerProcess;
using mini_redis::testing::TestClient;
using mini_redis::testing::TestServer;
using namespace std::string_literals;

namespace {

TestServer frame_echo_server()
{
    return TestServer(
        [](tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

/// What a Connection made of the bytes a peer sent before closing its sending side.
struct Received {
    std::vector<std::string> frames;  // describe() of each frame read_frame returned
    std::string end;                  // how the last read_frame ended
};

/// Connects a plain socket to a Connection over loopback, sends `sent` from the plain end, then
/// shuts down its sending side (end of stream), and calls read_frame until it stops.
asio::awaitable<Received> read_until_end(std::string sent)
{
    auto executor = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(executor, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket peer(executor);
    co_await peer.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    tcp::socket accepted = co_await acceptor.async_accept(asio::use_awaitable);
    Connection connection(std::move(accepted));
    co_await asio::async_write(peer, asio::buffer(sent), asio::use_awaitable);
    peer.shutdown(tcp::socket::shutdown_send);

    Received received;
    try {
        while (auto frame = co_await connection.read_frame()) {
            received.frames.push_back(mini_redis::describe(*frame));
        }
        received.end = "returned std::nullopt (a clean close)";
    } catch (const boost::system::system_error& e) {
        received.end = e.code() == asio::error::eof ? "threw end of stream" : e.what();
    }
    co_return received;
}

/// Sends `stream` through a Connection, the peer writing while it reads, and returns how many
/// frames read_frame returned before the `frames`th (or the end of stream).
asio::awaitable<int> stream_frames(std::string stream, int frames)
{
    auto executor = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(executor, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket peer(executor);
    co_await peer.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
    tcp::socket accepted = co_await acceptor.async_accept(asio::use_awaitable);
    Connection connection(std::move(accepted));
    // Written in the background, as fast as the reader below makes room in the socket buffers;
    // every byte has been written by the time the reader has seen the last frame.
    asio::async_write(peer, asio::buffer(stream), asio::detached);
    int read = 0;
    while (read < frames) {
        auto next = co_await connection.read_frame();
        if (!next) {
            break;
        }
        ++read;
    }
    co_return read;
}

}  // namespace

TEST_CASE("frames of every kind echo back byte for byte", "[ch02][ex02.7]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    for (const std::string& frame : {"+OK\r\n"s, "-ERR bad\r\n"s, ":-7\r\n"s, "$3\r\n\0\r\n\r\n"s,
                                     "$-1\r\n"s, "*0\r\n"s, "*2\r\n$3\r\nGET\r\n*1\r\n:1\r\n"s}) {
        client.send(frame);
        CHECK(client.read_reply() == frame);
    }
}

TEST_CASE("a frame sent one byte at a time is answered once, whole", "[ch02][ex02.9]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    const std::string frame = "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n";
    for (char byte : frame) {
        client.send(std::string(1, byte));
    }
    CHECK(client.read_reply() == frame);
    client.send("+done\r\n");
    CHECK(client.read_reply() == "+done\r\n");  // nothing else came before it
}

TEST_CASE("many frames in one write each get their reply, in order", "[ch02][ex02.7]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    std::string batch;
    for (int i = 0; i < 500; ++i) {
        batch += ":" + std::to_string(i) + "\r\n";
    }
    client.send(batch);
    for (int i = 0; i < 500; ++i) {
        REQUIRE(client.read_reply() == ":" + std::to_string(i) + "\r\n");
    }
}

TEST_CASE("a 3 MiB bulk string grows the read buffer and comes back intact", "[ch02][ex02.8]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    std::string data(3 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>(i % 251);
    }
    const std::string frame = "$" + std::to_string(data.size()) + "\r\n" + data + "\r\n";
    CHECK(client.round_trip(frame, frame.size()) == frame);
}

TEST_CASE("closing between frames ends the session cleanly", "[ch02][ex02.9]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    client.send("+bye\r\n");
    CHECK(client.read_reply() == "+bye\r\n");
    client.close_sending();
    CHECK(client.read_until_closed().empty());
}

TEST_CASE("closing in the middle of a frame ends the session without a reply", "[ch02][ex02.9]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    client.send("+whole\r\n*2\r\n$3\r\nGET");
    CHECK(client.read_reply() == "+whole\r\n");
    client.close_sending();
    CHECK(client.read_until_closed().empty());
}

TEST_CASE("malformed input gets a protocol error reply, then the connection closes",
          "[ch02][ex02.7]")
{
    auto server = frame_echo_server();
    const std::pair<std::string, std::string> cases[] = {
        {"$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
        {":1x\r\n", "-ERR Protocol error: invalid integer\r\n"},
        {"?\r\n", "-ERR Protocol error: invalid frame type byte '?'\r\n"},
    };
    for (const auto& [input, reply] : cases) {
        TestClient client(server.port());
        client.send(input);
        CHECK(client.read_until_closed() == reply);
    }

    // The server itself is unharmed.
    TestClient next(server.port());
    next.send("+still here\r\n");
    CHECK(next.read_reply() == "+still here\r\n");
}

TEST_CASE("the server executable answers frames on the port it reports", "[ch02][ex02.9]")
{
    ServerProcess server(MINI_REDIS_SERVER_BINARY, {"--port", "0"});
    {
        TestClient client(server.port());
        client.send("*1\r\n$4\r\nPING\r\n");
        CHECK(client.read_reply() == "*1\r\n$4\r\nPING\r\n");
    }
    server.signal(SIGINT);
    CHECK(server.wait() == 0);
}

TEST_CASE("end of stream between frames is a clean close, in the middle of a frame an error",
          "[ch02][ex02.9]")
{
    // The session can tell a client that is done from one that went away halfway through a
    // command only by what read_frame says: a clean close returns nothing, a cut-off frame throws.
    const auto between = block_on(read_until_end("+one\r\n:2\r\n"));
    CHECK(between.frames == std::vector<std::string>{"one", "2"});
    CHECK(between.end == "returned std::nullopt (a clean close)");

    const auto cut_off = block_on(read_until_end("+whole\r\n*2\r\n$3\r\nGET"));
    CHECK(cut_off.frames == std::vector<std::string>{"whole"});
    CHECK(cut_off.end == "threw end of stream");
}

TEST_CASE("a long stream of small frames never grows the read buffer", "[ch02][ex02.8]")
{
    // 512 KiB of 9-byte frames, which do not divide the 4 KiB buffer: almost every read ends
    // in the middle of a frame. The unparsed bytes must move to the front before each read; a
    // buffer that only ever appends would double again and again, to hold bytes long consumed.
    // Any allocation of 64 KiB or more (the buffer grown to that size) fails, as if memory had
    // run out; nothing else this test does allocates that much.
    struct Disarm {
        ~Disarm()
        {
            mini_redis::testing::fail_next_allocation_of_at_least(
                std::numeric_limits<std::size_t>::max());
        }
    } disarm;
    constexpr int frames = 512 * 1024 / 9;
    std::string stream;
    for (int i = 0; i < frames; ++i) {
        stream += "$3\r\nabc\r\n";
    }
    mini_redis::testing::fail_next_allocation_of_at_least(64 * 1024);
    int read = 0;
    try {
        read = block_on(stream_frames(std::move(stream), frames));
    } catch (const std::bad_alloc&) {
        FAIL(
            "the read buffer grew to 64 KiB for frames of 9 bytes: are the unparsed bytes moved "
            "to the front before a read, and the buffer grown only when it is still full?");
    }
    CHECK(read == frames);
}
