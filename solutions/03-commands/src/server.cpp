// The server's coroutines: the accept loop and the per-client session, which now executes
// commands. Book: chapter 03, "The session: read, parse, execute, reply".
#include "server.hpp"

#include "command.hpp"
#include "connection.hpp"

#include "mini_redis/exercise.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>

namespace mini_redis {
namespace {

/// What runs when a connection's coroutine ends. co_spawn calls it with the exception that
/// escaped the coroutine, or with nullptr when it returned normally.
///
/// Why not `asio::detached`: detached throws escaping exceptions away without a word, and a
/// session that dies silently is the hardest bug to find. Here it is logged, and only this one
/// connection ends; the server carries on.
void log_session_end(std::exception_ptr error)
{
    if (!error) {
        return;
    }
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        spdlog::error("connection closed: {}", e.what());
    }
}

}  // namespace

// [book: serve]
asio::awaitable<void> serve(tcp::acceptor acceptor)
{
    spdlog::debug("accepting connections on {}", acceptor.local_endpoint().port());
    // One key space for all clients. This coroutine and every session hold a reference, so the
    // map lives until the last of them ends, whichever that is.
    auto keys = std::make_shared<KeySpace>();
    for (;;) {
        // Suspends until a client connects. Meanwhile this thread runs every session coroutine.
        auto [error, socket] = co_await acceptor.async_accept(use_tuple);
        if (error == asio::error::operation_aborted) {
            co_return;  // the acceptor was closed: the server is stopping
        }
        if (error) {
            // For instance "too many open files". Chapter 07 adds a back-off here; for now, log
            // it and keep accepting, because one failed accept is no reason to stop serving.
            spdlog::warn("accept failed: {}", error.message());
            continue;
        }
        // Start the session and do *not* wait for it: co_spawn returns at once and the loop goes
        // back to accepting. The session runs on the same executor (the same io_context) and owns
        // its socket, which we move into it.
        // [tokio] tokio::spawn(async move { process(socket).await }) -> co_spawn(executor, ...)
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket), keys), log_session_end);
    }
}
// [end book: serve]

// [book: session]
asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<KeySpace> keys)
{
    boost::system::error_code ignored;
    const auto peer = socket.remote_endpoint(ignored);
    Connection connection(std::move(socket), {}, Syntax::requests);
    std::string protocol_error;  // set when the client sent something that is not RESP
    try {
        // EXERCISE 03.7: Serve the requests: read, parse, execute, reply
        // read_frame returns std::nullopt when the client closes between frames.
        while (auto request = co_await connection.read_frame()) {
            Command command = parse_command(std::move(*request));
            const bool quit = std::holds_alternative<Quit>(command);
            // No co_await between reading the map and replying: while this runs, no other
            // session can, so the map needs no lock (chapter 04 changes that).
            connection.queue_frame(execute(std::move(command), *keys));
            if (quit) {
                break;
            }
        }
        // END EXERCISE 03.7
        co_await connection.flush();  // the last replies (the read loop flushes the others)
        spdlog::debug("client {}:{} closed the connection", peer.address().to_string(),
                      peer.port());
    } catch (const ProtocolError& e) {
        // Tell the client what was wrong, then close: after bytes that are not RESP we cannot
        // know where the next frame starts. (A co_await is not allowed inside a catch block,
        // so the reply is sent below, outside it.)
        spdlog::info("client {}:{}: protocol error: {}", peer.address().to_string(), peer.port(),
                     e.what());
        protocol_error = e.what();
    } catch (const boost::system::system_error& e) {
        // A clean close between frames ends the loop above; end of stream here means the client
        // left in the middle of a frame.
        spdlog::info("client {}:{}: {}", peer.address().to_string(), peer.port(),
                     e.code() == asio::error::eof ? "closed the connection in the middle of a frame"
                                                  : e.code().message());
    }
    if (!protocol_error.empty()) {
        // Replies to the frames before the bad one are still queued: they go out first.
        connection.queue_frame(Frame::error("ERR Protocol error: " + protocol_error));
        try {
            co_await connection.flush();
        } catch (const boost::system::system_error&) {
            // The client is gone already; nothing more to tell it.
        }
    }
}
// [end book: session]

}  // namespace mini_redis
