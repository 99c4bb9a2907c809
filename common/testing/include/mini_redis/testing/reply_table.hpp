// Tables of requests and the exact replies Redis gives them, checked against a server.
//
// A chapter writes down what Redis 7 answers, byte for byte, as a table. The same table is
// checked against our server and against a real redis-server (RealRedis): if both pass, we
// answer as Redis does, and the table itself is proven to be Redis's behaviour, not our guess.
#pragma once

#include <string>
#include <vector>

namespace mini_redis::testing {

struct ReplyCase {
    std::string name;     // what the case shows, quoted when it fails
    std::string request;  // the bytes a client sends; then it closes its sending side
    std::string replies;  // every byte the server sends back before it closes
};

/// For each case, on a fresh connection to 127.0.0.1:`port`: sends the request, half-closes,
/// and checks (Catch2 CHECK, on the calling thread) that the server's whole answer is exactly
/// the case's replies.
void check_replies(unsigned short port, const std::vector<ReplyCase>& cases);

}  // namespace mini_redis::testing
