// A free port on 127.0.0.1: see free_port.hpp.
#include "mini_redis/testing/free_port.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace mini_redis::testing {

unsigned short free_port()
{
    boost::asio::io_context context;
    boost::asio::ip::tcp::acceptor probe(context, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
}

}  // namespace mini_redis::testing
