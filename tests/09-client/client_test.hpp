// Chapter 09 test helpers: a server to talk to, ours or a real redis-server.
#pragma once

#include "server.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/test_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

namespace ch09_test {

/// This chapter's whole server, in process, on a free port.
inline std::unique_ptr<mini_redis::testing::TestServer> start_server()
{
    return std::make_unique<mini_redis::testing::TestServer>(
        [](mini_redis::tcp::acceptor acceptor) { return mini_redis::serve(std::move(acceptor)); });
}

/// Accepts connections for ever, and runs `serve(socket)` for each one, beside the others.
template <typename Serve>
boost::asio::awaitable<void> accept_each(mini_redis::tcp::acceptor acceptor, Serve serve)
{
    for (;;) {
        auto socket = co_await acceptor.async_accept(boost::asio::use_awaitable);
        boost::asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)),
                              boost::asio::detached);
    }
}

/// A server that accepts connections and never answers: it reads what arrives and counts the
/// bytes, so a test can wait until its request has been sent. For timeouts and cancellation.
class SilentServer {
public:
    SilentServer()
        : server_([this](mini_redis::tcp::acceptor acceptor) {
              return accept_each(std::move(acceptor), [this](mini_redis::tcp::socket socket) {
                  return swallow(std::move(socket));
              });
          })
    {
    }
    unsigned short port() const noexcept { return server_.port(); }
    /// Bytes received so far, on every connection.
    std::size_t received() const noexcept { return received_; }

private:
    boost::asio::awaitable<void> swallow(mini_redis::tcp::socket socket)
    {
        std::array<char, 4096> ignored;
        for (;;) {
            auto [error, n] = co_await socket.async_read_some(
                boost::asio::buffer(ignored), boost::asio::as_tuple(boost::asio::use_awaitable));
            if (error) {
                co_return;
            }
            received_ += n;
        }
    }

    std::atomic<std::size_t> received_{0};
    mini_redis::testing::TestServer server_;  // last: stopped before received_ goes
};

/// A server that answers every connection's first bytes with `script`, as they are, in one
/// write, then closes the connection: for replies a real server would not send, or not in one
/// read. The client's end of stream after the script is part of the test.
class ScriptedServer {
public:
    explicit ScriptedServer(std::string script)
        : script_(std::move(script)), server_([this](mini_redis::tcp::acceptor acceptor) {
              return accept_each(std::move(acceptor), [this](mini_redis::tcp::socket socket) {
                  return answer(std::move(socket));
              });
          })
    {
    }
    unsigned short port() const noexcept { return server_.port(); }
    /// Bytes received so far, on every connection.
    std::size_t received() const noexcept { return received_; }
    /// Connections the client has closed: what it sent before is all counted in received().
    int ended() const noexcept { return ended_; }

private:
    boost::asio::awaitable<void> answer(mini_redis::tcp::socket socket)
    {
        std::array<char, 4096> ignored;
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto [error, n] = co_await socket.async_read_some(boost::asio::buffer(ignored), token);
        if (error) {
            ++ended_;
            co_return;
        }
        received_ += n;
        co_await boost::asio::async_write(socket, boost::asio::buffer(script_), token);
        socket.shutdown(mini_redis::tcp::socket::shutdown_send, error);
        // Read on until the client closes: closing with unread bytes would send a reset, which
        // could reach the client before the script.
        while (!error) {
            std::tie(error, n) =
                co_await socket.async_read_some(boost::asio::buffer(ignored), token);
            received_ += error ? 0 : n;
        }
        ++ended_;
    }

    std::string script_;
    std::atomic<std::size_t> received_{0};
    std::atomic<int> ended_{0};
    mini_redis::testing::TestServer server_;  // last: stopped before script_ goes
};

/// A server that answers a connection's first bytes with `reply`, then resets the connection
/// (SO_LINGER with a zero timeout: the kernel sends a reset, not an end of stream). It knows the
/// client's port, so a test can wait until the client's kernel has taken the reset in.
class ResettingServer {
public:
    explicit ResettingServer(std::string reply)
        : reply_(std::move(reply)), server_([this](mini_redis::tcp::acceptor acceptor) {
              return accept_each(std::move(acceptor), [this](mini_redis::tcp::socket socket) {
                  return answer(std::move(socket));
              });
          })
    {
    }
    unsigned short port() const noexcept { return server_.port(); }
    /// The port of the last client reset (0 until then).
    unsigned short reset_port() const noexcept { return reset_port_; }

private:
    boost::asio::awaitable<void> answer(mini_redis::tcp::socket socket)
    {
        std::array<char, 4096> ignored;
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto [error, n] = co_await socket.async_read_some(boost::asio::buffer(ignored), token);
        if (!error) {
            co_await boost::asio::async_write(socket, boost::asio::buffer(reply_), token);
        }
        const auto peer = socket.remote_endpoint(error);
        socket.set_option(boost::asio::socket_base::linger(true, 0), error);
        socket.close(error);
        reset_port_ = peer.port();
    }

    std::string reply_;
    std::atomic<unsigned short> reset_port_{0};
    mini_redis::testing::TestServer server_;  // last: stopped before reply_ goes
};

/// Runs `check(port)` twice, as two Catch2 sections: against this chapter's server and against a
/// real redis-server. The client must behave the same with both; a difference is a bug in ours.
template <typename Check>
void against_both_servers(Check check)
{
    SECTION("against this server")
    {
        auto server = start_server();
        check(server->port());
    }
    SECTION("against a real redis-server")
    {
        mini_redis::testing::RealRedis redis;
        check(redis.port());
    }
}

}  // namespace ch09_test
