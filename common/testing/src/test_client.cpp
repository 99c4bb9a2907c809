// The raw test client: see test_client.hpp.
//
// Each blocking call starts asynchronous operations on the client's own io_context and runs it
// until they finish or the deadline passes (run_one_until). On a deadline the operations are
// cancelled and the io_context is run dry, so nothing is left pending for the next call.
//
// A deadline measures silence, not the whole call: it starts again whenever bytes arrive (or,
// when sending, leave). Moving 16 MiB takes four times longer on a slow machine under a
// sanitizer than on a fast one, and that must not change the verdict; a server that stops
// answering still fails the test after hang_guard(deadline) of silence.
#include "mini_redis/testing/test_client.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/log_capture.hpp"
#include "mini_redis/testing/stub_watch.hpp"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <thread>

namespace mini_redis::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

bool is_close(const boost::system::error_code& error)
{
    return error == asio::error::eof || error == asio::error::connection_reset ||
           error == asio::error::broken_pipe;
}

// Runs `context` until `result` holds a value (true), or until `until` passes or, when
// `stop_at_stub`, the server reaches an exercise stub (false: what we wait for will not come).
// run_one_until (not run_until) so that another operation still pending on the same context,
// such as round_trip's write, cannot keep us waiting after our own has finished; in slices of
// 10 ms, since a stub wakes nothing here.
template <class Result>
bool wait_for(asio::io_context& context, const std::optional<Result>& result,
              Clock::time_point until, bool stop_at_stub = true)
{
    context.restart();
    while (!result) {
        const auto now = Clock::now();
        if (now >= until || (stop_at_stub && stub_reached())) {
            return false;
        }
        context.run_one_until(std::min(until, now + std::chrono::milliseconds(10)));
    }
    return true;
}

// How long a failed wait waited, for its message: the deadline, or until a stub.
std::string waited(std::chrono::milliseconds deadline)
{
    return stub_reached() ? "until the server reached a stub (" + stubs_reached_messages() + ")"
                          : fmt::format("for {} ms", deadline.count());
}

}  // namespace

TestClient::TestClient(unsigned short port, std::chrono::milliseconds deadline)
    : socket_(context_), deadline_(hang_guard(deadline))
{
    std::optional<boost::system::error_code> result;
    socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](boost::system::error_code error) { result = error; });
    // The kernel completes a connection to a listening socket whatever the server's code does:
    // a stub reached meanwhile is no reason to stop waiting for it.
    if (!wait_for(context_, result, Clock::now() + deadline_, false)) {
        socket_.close();
        context_.restart();
        context_.run();
        fail(
            fmt::format("could not connect to 127.0.0.1:{} within {} ms", port, deadline_.count()));
    }
    if (*result) {
        fail(fmt::format("could not connect to 127.0.0.1:{}: {}", port, result->message()));
    }
    socket_.set_option(tcp::no_delay(true));
}

void TestClient::send(std::string_view bytes)
{
    // One write_some at a time, so that the deadline restarts whenever the server takes bytes.
    std::size_t written = 0;
    while (written < bytes.size()) {
        std::optional<std::pair<boost::system::error_code, std::size_t>> result;
        socket_.async_write_some(
            asio::buffer(bytes.data() + written, bytes.size() - written),
            [&](boost::system::error_code error, std::size_t n) { result.emplace(error, n); });
        if (!wait_for(context_, result, Clock::now() + deadline_)) {
            socket_.cancel();
            context_.restart();
            context_.run();
            fail(fmt::format(
                "sending {} bytes: the server took none {} after the first {} (it is not "
                "reading)",
                bytes.size(), waited(deadline_), written));
        }
        if (result->first) {
            fail(fmt::format("sending {} bytes failed: {}", bytes.size(), result->first.message()));
        }
        written += result->second;
    }
}

std::size_t TestClient::fill(std::string_view waiting_for)
{
    if (closed_) {
        fail(fmt::format("the server closed the connection while the test waited for {}",
                         waiting_for));
    }
    std::array<char, 64 * 1024> chunk{};
    std::optional<std::pair<boost::system::error_code, std::size_t>> result;
    socket_.async_read_some(asio::buffer(chunk), [&](boost::system::error_code error,
                                                     std::size_t n) { result.emplace(error, n); });
    if (!wait_for(context_, result, Clock::now() + deadline_)) {
        socket_.cancel();
        context_.restart();
        context_.run();
        fail(fmt::format("nothing arrived {} while waiting for {} (received so far: {:?})",
                         waited(deadline_), waiting_for, pending_.substr(0, 200)));
    }
    const auto [error, n] = *result;
    if (is_close(error)) {
        // The server's stream has ended: close ours too, as real clients do (a server that
        // lingers after its last reply waits for exactly that).
        closed_ = true;
        boost::system::error_code ignored;
        socket_.close(ignored);
        return 0;
    }
    if (error) {
        fail(fmt::format("reading failed while waiting for {}: {}", waiting_for, error.message()));
    }
    pending_.append(chunk.data(), n);
    return n;
}

std::string TestClient::take(std::size_t n)
{
    std::string out = pending_.substr(0, n);
    pending_.erase(0, n);
    if (pending_.empty() && pending_.capacity() > 64 * 1024) {
        // Give a large buffer back: tests that measure the process's heap (the server under
        // test runs in it) must see the server's memory, not what a client read once.
        std::string().swap(pending_);
    }
    return out;
}

std::string TestClient::read_exact(std::size_t n)
{
    while (pending_.size() < n) {
        if (fill(fmt::format("{} bytes (have {})", n, pending_.size())) == 0) {
            fail(
                fmt::format("the server closed the connection after {} of {} expected bytes "
                            "(received: {:?})",
                            pending_.size(), n, pending_.substr(0, 200)));
        }
    }
    return take(n);
}

std::string TestClient::read_line()
{
    for (;;) {
        if (const auto end = pending_.find("\r\n"); end != std::string::npos) {
            return take(end + 2);
        }
        if (fill("a reply line ending in \\r\\n") == 0) {
            fail(
                fmt::format("the server closed the connection in the middle of a reply "
                            "(received: {:?})",
                            pending_.substr(0, 200)));
        }
    }
}

std::string TestClient::read_reply()
{
    std::string reply;
    // How many replies are still owed: one at first, plus the elements of every array header.
    long long owed = 1;
    while (owed > 0) {
        std::string line = read_line();
        reply += line;
        --owed;
        const char type = line[0];
        const auto length = [&] {
            try {
                return std::stoll(line.substr(1, line.size() - 3));
            } catch (const std::exception&) {
                fail(fmt::format("not a RESP length line: {:?}", line));
            }
        };
        switch (type) {
        case '+':
        case '-':
        case ':':
            break;
        case '$':
            if (const auto n = length(); n >= 0) {
                while (pending_.size() < static_cast<std::size_t>(n) + 2) {
                    if (fill("the rest of a bulk string") == 0) {
                        fail("the server closed the connection in the middle of a bulk string");
                    }
                }
                reply += take(static_cast<std::size_t>(n) + 2);
            }
            break;
        case '*':
            if (const auto n = length(); n > 0) {
                owed += n;
            }
            break;
        default:
            fail(fmt::format("not a RESP2 reply: {:?}", line));
        }
    }
    return reply;
}

std::string TestClient::round_trip(std::string_view bytes, std::size_t expected)
{
    std::optional<boost::system::error_code> sent;
    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                      [&](boost::system::error_code error, std::size_t) { sent = error; });
    // The write above makes progress whenever the io_context runs, which fill() below does while
    // it waits for the echo: sending and receiving overlap as they must.
    while (pending_.size() < expected) {
        if (fill(fmt::format("{} echoed bytes (have {})", expected, pending_.size())) == 0) {
            fail(fmt::format("the server closed the connection after {} of {} expected bytes",
                             pending_.size(), expected));
        }
    }
    if (!wait_for(context_, sent, Clock::now() + deadline_) || *sent) {
        socket_.cancel();
        context_.restart();
        context_.run();
        fail(fmt::format("sending {} bytes did not complete", bytes.size()));
    }
    return take(expected);
}

std::string TestClient::read_until_closed()
{
    while (!closed_) {
        fill("the server to close the connection");
    }
    return take(pending_.size());
}

void TestClient::close_sending()
{
    if (!closed_) {
        socket_.shutdown(tcp::socket::shutdown_send);
    }
}

void TestClient::abort()
{
    // SO_LINGER with a zero timeout makes close() send a reset instead of a clean end of stream.
    socket_.set_option(asio::socket_base::linger(true, 0));
    socket_.close();
    closed_ = true;
}

void TestClient::limit_receive_buffer(int bytes)
{
    socket_.set_option(asio::socket_base::receive_buffer_size(bytes));
}

void TestClient::fail(std::string_view message) const
{
    // A server that closes a connection logs why only after the close (the log line is written
    // by the completion handler of the coroutine that owned the socket). Give that line a moment
    // to arrive, so the failure can quote it. This only delays a test that has failed already.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string text(message);
    // The stubs reached are known at once, log or not: they say which exercise to do.
    if (const auto stubs = stubs_reached_messages();
        !stubs.empty() && text.find(stubs) == text.npos) {
        text += "\nthe code under test reached a stub: " + stubs;
    }
    if (const auto log = recent_log(); !log.empty()) {
        text += "\nrecent server log:\n" + log;
    }
    throw std::runtime_error(text);
}

std::string conversation(unsigned short port, std::string_view request)
{
    TestClient client(port);
    client.send(request);
    client.close_sending();
    return client.read_until_closed();
}

}  // namespace mini_redis::testing
