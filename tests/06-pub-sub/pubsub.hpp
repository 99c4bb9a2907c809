// Chapter 06 test helpers: RESP pushes and replies as bytes, and a server with a Db we can see.
#pragma once

#include "db.hpp"
#include "server.hpp"

#include "mini_redis/testing/test_server.hpp"

#include <string>

namespace ch06_test {

inline std::string bulk(const std::string& text)
{
    return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

/// `*3 <kind> <channel> :<count>`: a subscribe or unsubscribe confirmation.
inline std::string confirmation(const std::string& kind, const std::string& channel, int count)
{
    return "*3\r\n" + bulk(kind) + bulk(channel) + ":" + std::to_string(count) + "\r\n";
}

/// `*3 message <channel> <message>`: what a subscriber receives.
inline std::string message(const std::string& channel, const std::string& text)
{
    return "*3\r\n" + bulk("message") + bulk(channel) + bulk(text);
}

/// A request as RESP: an array of bulk strings.
inline std::string command(std::initializer_list<std::string> words)
{
    std::string out = "*" + std::to_string(words.size()) + "\r\n";
    for (const auto& word : words) {
        out += bulk(word);
    }
    return out;
}

/// The chapter's accept loop serving `db` (so the test can look at its channels) with `options`.
inline mini_redis::testing::TestServer pubsub_server(mini_redis::Db db,
                                                     mini_redis::ServerOptions options = {})
{
    return mini_redis::testing::TestServer([db, options](mini_redis::tcp::acceptor acceptor) {
        return mini_redis::serve(std::move(acceptor), db, options);
    });
}

}  // namespace ch06_test
