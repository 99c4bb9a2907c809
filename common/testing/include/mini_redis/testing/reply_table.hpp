// Tables of requests and the exact replies Redis gives them, checked against a server.
//
// A chapter writes down what Redis 7 answers, byte for byte, as a table. The same table is
// checked against our server and against a real redis-server (RealRedis): if both pass, we
// answer as Redis does, and the table itself is proven to be Redis's behaviour, not our guess.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mini_redis::testing {

struct ReplyCase {
    std::string name;     // what the case shows, quoted when it fails
    std::string request;  // the bytes a client sends; then it closes its sending side
    std::string replies;  // every byte the server sends back before it closes
};

/// For each case, on a fresh connection to 127.0.0.1:`port`: sends the request, half-closes,
/// and checks (Catch2 CHECK, on the calling thread) that the server's whole answer is exactly
/// the case's replies. A failure shows the case's name, the request sent, the reply expected and
/// the whole reply received, all printable(), and the offset of the first byte that differs; a
/// conversation that breaks off (no close before the deadline) shows why and the server's log.
void check_replies(unsigned short port, const std::vector<ReplyCase>& cases);

/// `bytes` as one printable line, for failure messages, escaped as escape_bytes() does (\r, \n,
/// \t, \\, \" and \0 as in C, any other byte outside printable ASCII as \xHH). A long text
/// keeps its first and last bytes and says how many it leaves out, so a failure's message stays
/// readable.
std::string printable(std::string_view bytes);

}  // namespace mini_redis::testing
