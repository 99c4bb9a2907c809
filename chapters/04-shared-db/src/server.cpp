// The server's coroutines: the accept loop and the per-client session. Since chapter 04 they
// may run on several threads at once. Book: chapters 03 and 04.
#include "server.hpp"

#include "command.hpp"
#include "connection.hpp"
#include "execute.hpp"

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
[[maybe_unused]] void log_session_end(std::exception_ptr error)
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
    // EXERCISE 04.3: Give every session a handle to the one Db
    //
    // Create the one Db that every client shares, then accept clients forever as in chapter 01:
    // for each, co_spawn session(std::move(socket), ...) on acceptor.get_executor() with
    // log_session_end as the completion handler, giving the session its own handle to that same
    // Db. Stop when the accept fails with asio::error::operation_aborted; log any other accept
    // error with its message (error.message()) and keep accepting.
    //
    // Check: ./workbook test 4   Stuck? ./workbook hint 04.3
    co_await mini_redis::co_todo("04.3", "book/04-shared-db.md#exercise-043-one-db-for-every-session");
    // END EXERCISE 04.3
}
// [end book: serve]

asio::awaitable<void> session(tcp::socket socket, Db db)
{
    boost::system::error_code ignored;
    const auto peer = socket.remote_endpoint(ignored);
    Connection connection(std::move(socket), {}, Syntax::requests);
    std::string protocol_error;  // set when the client sent something that is not RESP
    try {
        // [book: session-loop]
        // read_frame returns std::nullopt when the client closes between frames.
        while (auto request = co_await connection.read_frame()) {
            Command command = parse_command(std::move(*request));
            const bool quit = std::holds_alternative<Quit>(command);
            // Other sessions may run on other threads right now; Db locks for each GET or SET.
            connection.queue_frame(execute(std::move(command), db));
            if (quit) {
                break;
            }
        }
        // [end book: session-loop]
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

}  // namespace mini_redis
