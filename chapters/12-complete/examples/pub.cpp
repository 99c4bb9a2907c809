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
    //
    // The program's main: take the port from argv[1] (6379 without it); with the blocking
    // client (BlockingClient::connect("127.0.0.1", port)), publish the message "1" on the
    // channel "numbers" and print `published to N subscriber(s)`, N being what publish()
    // returns, then return 0. On an exception, print `pub: ` and its what() on std::cerr and
    // return 1. Plain calls: no coroutine.
    //
    // Check: ./workbook test 12   Stuck? ./workbook hint 12.3
    mini_redis::unused(argc, argv);
    mini_redis::todo("12.3", "book/12-complete.md#exercise-123-publishing");
    // END EXERCISE 12.3
}
