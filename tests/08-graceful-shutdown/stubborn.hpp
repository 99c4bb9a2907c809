// Chapter 08 test helper: a client that will never read the replies it asked for.
#pragma once

#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace ch08_test {

/// Stores an 8 MiB value and asks for it twice without reading the replies. With the client's
/// receive buffer kept small, 16 MiB of replies is far more than the kernel's socket buffers
/// hold (the server's send buffer grows to 4 MiB at most on Debian), so the server's write
/// cannot finish while the client does not read: a shutdown has to cut it off. Returns once the
/// first bytes of the first reply have arrived, so the server is writing it by then: a shutdown
/// that begins any earlier could find the requests still unread and nothing to wait for.
inline void make_stubborn(mini_redis::testing::TestClient& client)
{
    client.limit_receive_buffer(64 * 1024);
    const std::string value(8 * 1024 * 1024, 'b');
    client.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + std::to_string(value.size()) + "\r\n" +
                value + "\r\n");
    REQUIRE(client.read_reply() == "+OK\r\n");
    client.send("GET big\r\nGET big\r\n");  // 16 MiB of replies it will never read
    const std::string header = "$" + std::to_string(value.size()) + "\r\n";
    REQUIRE(client.read_exact(header.size()) == header);  // ...but for these few bytes
}

}  // namespace ch08_test
