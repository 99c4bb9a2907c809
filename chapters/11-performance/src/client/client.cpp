// The async client: see client.hpp. Book: chapter 09, "An async client".
#include "client/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>

namespace mini_redis::client {
namespace {

/// A reply of a kind the command never gives: the peer is not speaking the protocol we expect.
ProtocolError unexpected(std::string_view command, const Frame& reply)
{
    return ProtocolError("unexpected reply to " + std::string(command) + ": " + describe(reply));
}

/// What an awaitable ended with: its value, or the exception it threw.
template <typename T>
struct Outcome {
    std::optional<T> value;
    std::exception_ptr failure;
};

/// Awaits `operation` and returns how it ended, failure included, without throwing: see within().
template <typename T>
asio::awaitable<Outcome<T>> outcome_of(asio::awaitable<T> operation)
{
    Outcome<T> outcome;
    try {
        outcome.value.emplace(co_await std::move(operation));
    } catch (...) {
        outcome.failure = std::current_exception();
    }
    co_return outcome;
}

/// Awaits `operation`, but no longer than `timeout` (zero: as long as it takes). Past it, the
/// operation is cancelled and this throws boost::system::system_error(asio::error::timed_out);
/// a failure of the operation before that is thrown as it is, at once. `a || b` runs both and
/// returns the first to *succeed*, cancelling the other: so the race is between the operation's
/// outcome_of() (which always succeeds, a failure being a value) and a timer's wait. Raced
/// itself, a failing operation would wait for the timer, and be reported as a timeout.
template <typename T>
asio::awaitable<T> within(std::chrono::milliseconds timeout, asio::awaitable<T> operation)
{
    using namespace asio::experimental::awaitable_operators;
    if (timeout.count() == 0) {
        co_return co_await std::move(operation);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto first =
        co_await (outcome_of(std::move(operation)) || timer.async_wait(asio::use_awaitable));
    if (first.index() == 1) {
        throw boost::system::system_error(asio::error::timed_out, "no answer from the server");
    }
    auto outcome = std::get<0>(std::move(first));
    if (outcome.failure) {
        std::rethrow_exception(outcome.failure);
    }
    co_return std::move(*outcome.value);
}

/// Resolves `host` and connects to the first of its addresses that answers.
asio::awaitable<tcp::socket> open_socket(std::string host, unsigned short port)
{
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    // A name may stand for several addresses (localhost: ::1 and 127.0.0.1); async_connect
    // tries them in turn. Both throw system_error on failure: here that is what we want.
    auto endpoints =
        co_await resolver.async_resolve(host, std::to_string(port), asio::use_awaitable);
    tcp::socket socket(executor);
    co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
    co_return socket;
}

}  // namespace

std::optional<std::string> value_of_get_reply(Frame reply)
{
    if (auto* bulk = std::get_if<Frame::Bulk>(&reply.value)) {
        return std::move(bulk->bytes);
    }
    if (std::holds_alternative<Frame::Null>(reply.value)) {
        return std::nullopt;
    }
    throw unexpected("GET", reply);
}

void expect_ok(const Frame& reply, std::string_view command)
{
    if (reply != Frame::simple("OK")) {
        throw unexpected(command, reply);
    }
}

asio::awaitable<Client> Client::connect(std::string host, unsigned short port,
                                        std::chrono::milliseconds timeout)
{
    auto opening = open_socket(std::move(host), port);  // a variable: see within() in read_frame
    tcp::socket socket = co_await within(timeout, std::move(opening));
    // Commands are small and we wait for each reply: without this, Nagle's algorithm may hold a
    // command back for up to 40 ms, waiting for more bytes that never come.
    socket.set_option(tcp::no_delay(true));
    Client client(std::move(socket));
    client.set_timeout(timeout);
    co_return client;
}

Client::Client(tcp::socket socket) : connection_(std::make_unique<FrameReader>(std::move(socket)))
{
}

asio::awaitable<Frame> Client::request(std::vector<std::string> command)
{
    co_await send(std::move(command));
    auto reply = co_await read_frame();
    if (!reply) {
        throw boost::system::system_error(asio::error::eof, "the server closed the connection");
    }
    if (auto* error = std::get_if<Frame::Error>(&reply->value)) {
        throw ServerError(error->message);
    }
    co_return std::move(*reply);
}

asio::awaitable<void> Client::send(std::vector<std::string> command)
{
    // A command is an array of bulk strings, whatever the arguments hold: RESP's bulk strings
    // are binary-safe, so keys and values may contain spaces, newlines or NUL bytes.
    Frame::Array items;
    items.reserve(command.size());
    for (auto& argument : command) {
        items.push_back(Frame::bulk(std::move(argument)));
    }
    output_.clear();
    encode(Frame::array(std::move(items)), output_);
    throw_if_broken();
    auto writing = asio::async_write(connection_->socket(), asio::buffer(output_), use_tuple);
    std::tuple<boost::system::error_code, std::size_t> written;
    try {
        written = co_await within(timeout_, std::move(writing));
    } catch (const boost::system::system_error& e) {
        written = {e.code(), 0};  // timed out
    }
    if (const auto error = std::get<0>(written)) {
        broken_ = std::make_exception_ptr(
            boost::system::system_error(error, "sending a command to the server"));
        std::rethrow_exception(broken_);
    }
}

asio::awaitable<std::optional<Frame>> Client::read_frame()
{
    throw_if_broken();
    try {
        // The awaitable in a variable, not a temporary argument of within(): GCC 12 destroys
        // such a temporary twice when its exception is caught in the same coroutine.
        auto reading = connection_->read_frame();
        auto frame = co_await within(timeout_, std::move(reading));
        if (!frame) {
            broken_ = std::make_exception_ptr(
                boost::system::system_error(asio::error::eof, "the server closed the connection"));
        }
        co_return frame;
    } catch (...) {
        // A failed read, or bytes that are not RESP: either way we no longer know where the
        // next reply starts.
        broken_ = std::current_exception();
        throw;
    }
}

void Client::throw_if_broken() const
{
    if (broken_) {
        std::rethrow_exception(broken_);
    }
}

asio::awaitable<std::string> Client::ping(std::optional<std::string> message)
{
    std::vector<std::string> command{"PING"};
    if (message) {
        command.push_back(std::move(*message));
    }
    auto reply = co_await request(std::move(command));
    // PONG comes as a simple string, an echoed message as a bulk string (it may hold anything).
    if (auto* simple = std::get_if<Frame::Simple>(&reply.value)) {
        co_return std::move(simple->text);
    }
    if (auto* bulk = std::get_if<Frame::Bulk>(&reply.value)) {
        co_return std::move(bulk->bytes);
    }
    throw unexpected("PING", reply);
}

asio::awaitable<std::optional<std::string>> Client::get(std::string key)
{
    // Each command is built in a statement of its own, not as a braced list inside the
    // co_await expression: GCC 12 rejects that ("array used as initializer").
    std::vector<std::string> command{"GET", std::move(key)};
    co_return value_of_get_reply(co_await request(std::move(command)));
}

asio::awaitable<void> Client::set(std::string key, std::string value)
{
    std::vector<std::string> command{"SET", std::move(key), std::move(value)};
    expect_ok(co_await request(std::move(command)), "SET");
}

asio::awaitable<void> Client::set_expires(std::string key, std::string value,
                                          std::chrono::milliseconds expires)
{
    std::vector<std::string> command{"SET", std::move(key), std::move(value), "PX",
                                     std::to_string(expires.count())};
    expect_ok(co_await request(std::move(command)), "SET");
}

asio::awaitable<std::int64_t> Client::publish(std::string channel, std::string message)
{
    std::vector<std::string> command{"PUBLISH", std::move(channel), std::move(message)};
    auto reply = co_await request(std::move(command));
    if (auto* receivers = std::get_if<std::int64_t>(&reply.value)) {
        co_return *receivers;
    }
    throw unexpected("PUBLISH", reply);
}

}  // namespace mini_redis::client
