// Chapter 02: Connection and the frame echo server, through real sockets. Exercise 02.4.
#include "server.hpp"

#include "mini_redis/testing/server_process.hpp"
#include "mini_redis/testing/test_client.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using mini_redis::tcp;
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

}  // namespace

TEST_CASE("frames of every kind echo back byte for byte", "[ch02][ex02.4]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    for (const std::string& frame : {"+OK\r\n"s, "-ERR bad\r\n"s, ":-7\r\n"s, "$3\r\n\0\r\n\r\n"s,
                                     "$-1\r\n"s, "*0\r\n"s, "*2\r\n$3\r\nGET\r\n*1\r\n:1\r\n"s}) {
        client.send(frame);
        CHECK(client.read_reply() == frame);
    }
}

TEST_CASE("a frame sent one byte at a time is answered once, whole", "[ch02][ex02.4]")
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

TEST_CASE("many frames in one write each get their reply, in order", "[ch02][ex02.4]")
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

TEST_CASE("a 3 MiB bulk string grows the read buffer and comes back intact", "[ch02][ex02.4]")
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

TEST_CASE("closing between frames ends the session cleanly", "[ch02][ex02.4]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    client.send("+bye\r\n");
    CHECK(client.read_reply() == "+bye\r\n");
    client.close_sending();
    CHECK(client.read_until_closed().empty());
}

TEST_CASE("closing in the middle of a frame ends the session without a reply", "[ch02][ex02.4]")
{
    auto server = frame_echo_server();
    TestClient client(server.port());
    client.send("+whole\r\n*2\r\n$3\r\nGET");
    CHECK(client.read_reply() == "+whole\r\n");
    client.close_sending();
    CHECK(client.read_until_closed().empty());
}

TEST_CASE("malformed input gets a protocol error reply, then the connection closes",
          "[ch02][ex02.4]")
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

TEST_CASE("the server executable answers frames on the port it reports", "[ch02][ex02.4]")
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
