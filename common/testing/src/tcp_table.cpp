// Reading /proc/net/tcp: see tcp_table.hpp. Each line after the header reads
//   sl local_address:port rem_address:port st tx_queue:rx_queue tr:tm->when retrnsmt ...
// with every number in hexadecimal.
#include "mini_redis/testing/tcp_table.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace mini_redis::testing {

namespace {

unsigned long hex(const std::string& text)
{
    return std::stoul(text, nullptr, 16);
}

/// The port of "0100007F:1F90".
unsigned short port_of(const std::string& address)
{
    return static_cast<unsigned short>(hex(address.substr(address.find(':') + 1)));
}

}  // namespace

std::vector<TcpSocket> tcp_sockets()
{
    std::vector<TcpSocket> sockets;
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer)) {
            continue;
        }
        TcpSocket socket;
        socket.local_port = port_of(local);
        socket.remote_port = port_of(remote);
        socket.established = state == "01";
        socket.send_queue = hex(queues.substr(0, queues.find(':')));
        socket.receive_queue = hex(queues.substr(queues.find(':') + 1));
        socket.timer = static_cast<int>(hex(timer.substr(0, timer.find(':'))));
        sockets.push_back(socket);
    }
    return sockets;
}

std::size_t largest_send_buffer()
{
    std::ifstream tcp_wmem("/proc/sys/net/ipv4/tcp_wmem");
    std::size_t min = 0, initial = 0, max = 0;
    tcp_wmem >> min >> initial >> max;
    return max;
}

}  // namespace mini_redis::testing
