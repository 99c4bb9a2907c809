// libFuzzer target for the complete server's request path: any bytes a client may send, in any
// pieces, go through what a session does with them (parse a request, turn it into a command,
// respond(): subscriber mode, (UN)SUBSCRIBE through the connection's Subscriptions, the rest
// executed against a Db, every reply queued in the connection's Outbox). It must never crash or
// misbehave, and every complete request gets its replies, whole frames that a client reads back
// unchanged, until a protocol error or QUIT ends the connection: one reply per request, except
// SUBSCRIBE and UNSUBSCRIBE, which confirm each channel (UNSUBSCRIBE of all: each channel held,
// or one reply when none is), each confirmation counting the channels held after it.
//
// The session's reading and writing (sockets, the writer coroutine) are left out: the outbox is
// emptied here after each request, as the writer would. The parser fuzzer (fuzz_parser.cpp)
// covers the parsing alone in more depth.
#include "command.hpp"
#include "db.hpp"
#include "frame.hpp"
#include "outbox.hpp"
#include "parser.hpp"
#include "respond.hpp"
#include "subscriptions.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace mini_redis;

/// Stops the run: libFuzzer saves the input that got here.
[[noreturn]] void broken()
{
    std::abort();
}

/// One connection's state, as a session holds it, on an io_context this thread runs.
struct ConnectionState {
    asio::io_context io;
    asio::any_io_executor strand = asio::make_strand(io);  // the session's strand
    Db db;
    std::shared_ptr<Outbox> outbox = std::make_shared<Outbox>(strand, 32 * 1024 * 1024);
    Subscriptions subscriptions{db, outbox};
    std::set<std::string> channels;  // what the subscriptions should hold: the fuzzer's model

    /// Runs `work` on the strand while it has something to do, and returns its result. Work
    /// that is left waiting (for a timer, or for bytes in the outbox) fails the run: nothing
    /// here may wait, since no client is slow and no reply is late.
    template <typename T>
    T run(asio::awaitable<T> work)
    {
        std::optional<T> result;
        asio::co_spawn(strand, std::move(work), [&](std::exception_ptr failure, T value) {
            if (failure) {
                broken();  // respond() answers every mistake with a reply; nothing may escape
            }
            result = std::move(value);
        });
        while (!result && io.poll() > 0) {
        }
        io.restart();
        if (!result) {
            broken();  // a request that never finishes, or replies that never come
        }
        return std::move(*result);
    }
};

/// What the writer would send now: everything queued, as frames.
std::vector<Frame> sent(ConnectionState& connection)
{
    auto take = [](std::shared_ptr<Outbox> outbox) -> asio::awaitable<std::string> {
        std::string batch;
        co_await outbox->take(batch);
        co_return batch;
    };
    const std::string bytes = connection.run(take(connection.outbox));
    std::vector<Frame> frames;
    Parser client;
    std::string_view rest = bytes;
    while (!rest.empty()) {
        auto read = client.parse(rest);
        if (read.status != Parser::Status::frame || read.consumed == 0 ||
            read.consumed > rest.size() || !(encode(read.frame) == rest.substr(0, read.consumed))) {
            broken();  // a reply that is not one whole frame, read back unchanged
        }
        frames.push_back(std::move(read.frame));
        rest.remove_prefix(read.consumed);
    }
    return frames;
}

/// Checks one confirmation: `*3 <kind> <channel> <count>`, count being what the model holds.
void check_confirmation(const Frame& frame, std::string_view kind, const std::string* channel,
                        std::size_t held)
{
    const Frame expected = Frame::array({Frame::bulk(std::string(kind)),
                                         channel ? Frame::bulk(*channel) : Frame::null(),
                                         Frame::integer(static_cast<std::int64_t>(held))});
    if (!(frame == expected)) {
        broken();
    }
}

/// Checks the replies to `command` (already run) against the model, and updates the model.
void check_replies(ConnectionState& connection, const Command& command,
                   const std::vector<Frame>& replies)
{
    auto& held = connection.channels;
    if (const auto* subscribe = std::get_if<Subscribe>(&command)) {
        if (replies.size() != subscribe->channels.size()) {
            broken();
        }
        for (std::size_t i = 0; i < replies.size(); ++i) {
            held.insert(subscribe->channels[i]);
            check_confirmation(replies[i], "subscribe", &subscribe->channels[i], held.size());
        }
    } else if (const auto* unsubscribe = std::get_if<Unsubscribe>(&command)) {
        if (!unsubscribe->channels.empty()) {
            if (replies.size() != unsubscribe->channels.size()) {
                broken();
            }
            for (std::size_t i = 0; i < replies.size(); ++i) {
                held.erase(unsubscribe->channels[i]);
                check_confirmation(replies[i], "unsubscribe", &unsubscribe->channels[i],
                                   held.size());
            }
        } else if (held.empty()) {
            if (replies.size() != 1) {
                broken();
            }
            check_confirmation(replies[0], "unsubscribe", nullptr, 0);
        } else {
            // Every channel held, in no particular order: each one once, counting down to 0.
            if (replies.size() != held.size()) {
                broken();
            }
            for (const auto& reply : replies) {
                const auto* items = std::get_if<Frame::Array>(&reply.value);
                const auto* channel = items && items->size() == 3
                                          ? std::get_if<Frame::Bulk>(&(*items)[1].value)
                                          : nullptr;
                if (channel == nullptr || held.erase(channel->bytes) != 1) {
                    broken();
                }
                check_confirmation(reply, "unsubscribe", &channel->bytes, held.size());
            }
        }
    } else if (replies.size() != 1) {
        broken();
    }
    if (connection.subscriptions.active() != !held.empty()) {
        broken();  // subscriber mode is on exactly while a channel is held
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    // The first byte chooses how the bytes arrive: in pieces of 1 to 16 bytes.
    const std::size_t step = 1 + data[0] % 16;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    ParserLimits limits;
    limits.max_bulk_length = 1 << 20;
    Parser requests(limits, Syntax::requests);
    ConnectionState connection;
    // Between the turns of a long (UN)SUBSCRIBE a session waits for its client to read; here
    // nothing waits (the outbox is emptied after each request).
    const Subscriptions::Pause no_pause = []() -> asio::awaitable<void> { co_return; };
    std::string received;
    for (std::size_t at = 0; at < input.size(); at += step) {
        received.append(input.substr(at, step));
        for (;;) {
            auto result = requests.parse(received);
            if (result.status == Parser::Status::needs_more) {
                break;
            }
            if (result.status == Parser::Status::error) {
                return 0;  // the session replies with the protocol error and closes
            }
            if (result.consumed == 0 || result.consumed > received.size()) {
                broken();  // a request must consume bytes, and only bytes it was given
            }
            received.erase(0, result.consumed);
            const Command command = parse_command(std::move(result.frame));
            const Responded responded = connection.run(respond(
                command, connection.db, connection.subscriptions, *connection.outbox, no_pause));
            const auto replies = sent(connection);
            check_replies(connection, command, replies);
            if (responded.go_on == std::holds_alternative<Quit>(command)) {
                broken();  // QUIT, and only QUIT, ends the connection
            }
            // The error respond() reports (for the command's span) is the error reply's message,
            // and there is none when the reply is not an error.
            const auto* error =
                replies.size() == 1 ? std::get_if<Frame::Error>(&replies[0].value) : nullptr;
            if (responded.error != (error ? error->message : std::string())) {
                broken();
            }
            if (!responded.go_on) {
                return 0;
            }
        }
    }
    return 0;
}
