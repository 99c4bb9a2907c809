// pub: publishes one message, with the blocking client, and says how many subscribers got it.
//
//     build/.../sub [port]                # in one terminal: waits for messages on "numbers"
//     build/.../pub [port]                # in another: prints  published to 1 subscriber(s)
//
// No coroutine in sight: BlockingClient runs its own event loop on a thread of its own, so plain
// code can call it. Book: chapter 12, "Using it from code".
#include "client/blocking_client.hpp"

#include "mini_redis/exercise.hpp"

#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv)
{
    using namespace mini_redis::client;
    // EXERCISE 12.3: Publish a message with the blocking client
    const auto port = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 6379);
    try {
        auto client = BlockingClient::connect("127.0.0.1", port);
        auto receivers = client.publish("numbers", "1");
        std::cout << "published to " << receivers << " subscriber(s)" << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "pub: " << e.what() << "\n";
        return 1;
    }
    return 0;
    // END EXERCISE 12.3
}
