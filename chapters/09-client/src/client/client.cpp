// The async client: see client.hpp. Book: chapter 09, "An async client".
#include "client/client.hpp"

#include "mini_redis/exercise.hpp"

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

// [book: within]
/// What an awaitable ended with: its value, or the exception it threw.
template <typename T>
struct Outcome {
    std::optional<T> value;
    std::exception_ptr failure;
};

/// Awaits `operation` and returns how it ended, failure included, without throwing: see within().
template <typename T>
[[maybe_unused]] asio::awaitable<Outcome<T>> outcome_of(asio::awaitable<T> operation)
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
    // EXERCISE 09.18: Bound a wait with a timer
    //
    // Await `operation`, but no longer than `timeout`; a zero timeout means no bound (just
    // await it). Past the timeout, the operation must be cancelled and this must throw
    // boost::system::system_error(asio::error::timed_out, ...). A failure of the operation
    // before that must be thrown at once, as it is (not as a timeout). Otherwise return what
    // the operation returned.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.18
    mini_redis::unused(timeout, operation);
    co_return co_await mini_redis::co_todo<T>("09.18", "book/09-client.md#exercise-0918-a-deadline-on-a-wait");
    // END EXERCISE 09.18
}
// [end book: within]

// [book: open-socket]
/// Resolves `host` and connects to the first of its addresses that answers.
asio::awaitable<tcp::socket> open_socket(std::string host, unsigned short port)
{
    // EXERCISE 09.19: Resolve the name and connect to an address that answers
    //
    // Resolve `host` (a name such as localhost, or an address) and `port` with a tcp::resolver
    // on this coroutine's executor, then connect a socket to the first of the addresses that
    // answers, and return the socket. Let failures throw (plain asio::use_awaitable): a caller
    // must hear that the connection was refused or the name is unknown.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.19
    mini_redis::unused(host, port);
    co_return co_await mini_redis::co_todo<tcp::socket>("09.19", "book/09-client.md#exercise-0919-connecting-by-name");
    // END EXERCISE 09.19
}
// [end book: open-socket]

}  // namespace

std::optional<std::string> value_of_get_reply(Frame reply)
{
    // EXERCISE 09.17: What a GET reply means
    //
    // Turn a GET's reply into its value: a bulk string is the value (any bytes, empty
    // included), a null is a missing key (std::nullopt). Anything else is a ProtocolError
    // naming GET (unexpected()).
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.17
    mini_redis::unused(reply);
    mini_redis::todo("09.17", "book/09-client.md#exercises-0916-and-0917-ping-and-get");
    // END EXERCISE 09.17
}

void expect_ok(const Frame& reply, std::string_view command)
{
    if (reply != Frame::simple("OK")) {
        throw unexpected(command, reply);
    }
}

// [book: connect]
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
// [end book: connect]

Client::Client(tcp::socket socket) : connection_(std::make_unique<FrameReader>(std::move(socket)))
{
}

// [book: request]
asio::awaitable<Frame> Client::request(std::vector<std::string> command)
{
    // EXERCISE 09.1: Send a command and read its reply
    //
    // Send `command` (send() encodes it as an array of bulk strings and writes it), then read
    // the reply with read_frame(). No reply (std::nullopt) means the server closed the
    // connection: throw boost::system::system_error(asio::error::eof, ...). An error reply
    // (Frame::Error) becomes a ServerError carrying its message. Any other frame is the reply:
    // return it.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.1
    mini_redis::unused(command);
    co_return co_await mini_redis::co_todo<Frame>("09.1", "book/09-client.md#exercise-091-a-request-and-its-reply");
    // END EXERCISE 09.1
}
// [end book: request]

// [book: send]
asio::awaitable<void> Client::send(std::vector<std::string> command)
{
    // A command is an array of bulk strings, whatever the arguments hold: RESP's bulk strings
    // are binary-safe, so keys and values may contain spaces, newlines or NUL bytes.
    // EXERCISE 09.6: Encode a command and write it
    //
    // Encode `command` as a RESP array of bulk strings (every argument a bulk string, whatever
    // it holds) into output_, replacing what the last command left there. If the connection
    // already failed, throw that failure without writing (throw_if_broken()). Write all of
    // output_, bounded by timeout_ (within()). A failed or timed-out write breaks the
    // connection: remember a boost::system::system_error with its error code in broken_, and
    // throw it.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.6
    mini_redis::unused(command, output_, connection_, timeout_);
    co_await mini_redis::co_todo("09.6", "book/09-client.md#exercise-096-a-command-on-the-wire");
    // END EXERCISE 09.6
}
// [end book: send]

asio::awaitable<std::optional<Frame>> Client::read_frame()
{
    // EXERCISE 09.12: Read a frame; a failed read breaks the connection
    //
    // Read the next frame from connection_, bounded by timeout_ (within()); return it, or
    // std::nullopt when the server closed the connection. If the connection failed before,
    // throw that failure again without reading (throw_if_broken()). Whatever ends this read
    // without a frame (the end of the stream, an I/O error, a timeout, bytes that are not RESP)
    // breaks the connection: remember it in broken_ (for the end of stream, a
    // boost::system::system_error(asio::error::eof)), so that every later call fails the same
    // way at once. Exceptions still reach the caller.
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.12
    co_return co_await mini_redis::co_todo<std::optional<Frame>>("09.12", "book/09-client.md#exercise-0912-a-broken-connection-stays-broken");
    // END EXERCISE 09.12
}

void Client::throw_if_broken() const
{
    if (broken_) {
        std::rethrow_exception(broken_);
    }
}

// [book: ping]
asio::awaitable<std::string> Client::ping(std::optional<std::string> message)
{
    // EXERCISE 09.16: PING, and the two kinds of answer
    //
    // Send PING, with `message` as its argument when there is one, and return the answer's
    // text: PONG comes as a simple string, an echoed message as a bulk string (it may hold any
    // bytes). Any other reply is a ProtocolError (unexpected() builds one).
    //
    // Check: ./workbook test 9   Stuck? ./workbook hint 09.16
    mini_redis::unused(message);
    co_return co_await mini_redis::co_todo<std::string>("09.16", "book/09-client.md#exercises-0916-and-0917-ping-and-get");
    // END EXERCISE 09.16
}
// [end book: ping]

// [book: get]
asio::awaitable<std::optional<std::string>> Client::get(std::string key)
{
    // Each command is built in a statement of its own, not as a braced list inside the
    // co_await expression: GCC 12 rejects that ("array used as initializer").
    std::vector<std::string> command{"GET", std::move(key)};
    co_return value_of_get_reply(co_await request(std::move(command)));
}
// [end book: get]

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
