// The kernel's table of this machine's IPv4 TCP sockets (/proc/net/tcp): what a test can learn
// about a connection that neither end's program tells it, such as how many bytes wait unread in
// a socket's queue, or which timer the kernel runs on it.
#pragma once

#include <cstddef>
#include <vector>

namespace mini_redis::testing {

/// One row of /proc/net/tcp.
struct TcpSocket {
    unsigned short local_port = 0;
    unsigned short remote_port = 0;
    bool established = false;
    /// Bytes written but not yet acknowledged by the peer (for a listening socket: 0).
    std::size_t send_queue = 0;
    /// Bytes received that the program has not read yet.
    std::size_t receive_queue = 0;
    /// The timer the kernel runs on the socket: 0 none, 1 retransmit, 2 keepalive, ...
    int timer = 0;
};

/// Every IPv4 TCP socket of the machine, as the kernel lists it now.
std::vector<TcpSocket> tcp_sockets();

/// The most a socket's send buffer grows to (the maximum of /proc/sys/net/ipv4/tcp_wmem), for
/// tests that must send more than the kernel's buffers hold; 0 if it cannot be read.
std::size_t largest_send_buffer();

}  // namespace mini_redis::testing
