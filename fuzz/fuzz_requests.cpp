// libFuzzer target for the complete server's request path: any bytes a client may send, in any
// pieces, go through what a session does with them (parse a request, turn it into a command,
// execute it against a Db, encode the reply), never crash or misbehave, and every complete
// request gets exactly one reply, a whole frame that a client reads back unchanged, until a
// protocol error or QUIT ends the connection.
//
// SUBSCRIBE and UNSUBSCRIBE, which the session hands to its Subscriptions and an outbox (Asio),
// get execute()'s own error here; the parser fuzzer (fuzz_parser.cpp) covers the parsing alone
// in more depth.
#include "command.hpp"
#include "db.hpp"
#include "execute.hpp"
#include "frame.hpp"
#include "parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    // The first byte chooses how the bytes arrive: in pieces of 1 to 16 bytes.
    const std::size_t step = 1 + data[0] % 16;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    mini_redis::ParserLimits limits;
    limits.max_bulk_length = 1 << 20;
    mini_redis::Parser requests(limits, mini_redis::Syntax::requests);
    mini_redis::Db db;
    std::string received;
    for (std::size_t at = 0; at < input.size(); at += step) {
        received.append(input.substr(at, step));
        for (;;) {
            auto result = requests.parse(received);
            if (result.status == mini_redis::Parser::Status::needs_more) {
                break;
            }
            if (result.status == mini_redis::Parser::Status::error) {
                return 0;  // the session replies with the protocol error and closes
            }
            if (result.consumed == 0 || result.consumed > received.size()) {
                std::abort();  // a request must consume bytes, and only bytes it was given
            }
            received.erase(0, result.consumed);
            auto command = mini_redis::parse_command(std::move(result.frame));
            const bool quit = std::holds_alternative<mini_redis::Quit>(command);
            const mini_redis::Frame reply = mini_redis::execute(std::move(command), db);
            // One reply, and a client's parser reads exactly it back from its bytes.
            const std::string bytes = mini_redis::encode(reply);
            mini_redis::Parser client;
            const auto read_back = client.parse(bytes);
            if (read_back.status != mini_redis::Parser::Status::frame ||
                read_back.consumed != bytes.size() || !(read_back.frame == reply)) {
                std::abort();
            }
            if (quit) {
                return 0;  // the session closes after QUIT's reply
            }
        }
    }
    return 0;
}
