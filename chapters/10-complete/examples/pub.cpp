// pub: publishes one message, with the blocking client, and says how many subscribers got it.
//
//     build/.../sub [port]                # in one terminal: waits for messages on "numbers"
//     build/.../pub [port]                # in another: prints  published to 1 subscriber(s)
//
// No coroutine in sight: BlockingClient runs its own event loop on a thread of its own, so plain
// code can call it. Book: chapter 10, "Using it from code".
#include "client/blocking_client.hpp"

#include "mini_redis/exercise.hpp"

#include <exception>
#include <iostream>
#include <string>

// [book: pub-main]
int main(int argc, char** argv)
{
    using namespace mini_redis::client;
    const auto port = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 6379);
    try {
        // EXERCISE 10.2: Publish a message with the blocking client
        //
        // With the blocking client (BlockingClient::connect("127.0.0.1", port)), publish the
        // message "1" on the channel "numbers" and print `published to N subscriber(s)`, N
        // being what publish() returns. Plain calls: no coroutine here.
        //
        // Check: ./workbook test 10   Stuck? ./workbook hint 10.2
        mini_redis::unused(port);
        mini_redis::todo("10.2", "book/10-complete.md#exercise-102-publishing");
        // END EXERCISE 10.2
    } catch (const std::exception& e) {
        std::cerr << "pub: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
// [end book: pub-main]
