// sub: subscribes to a channel and prints every message published there, until the server goes
// away (or Ctrl-C).
//
//     build/.../sub [port]                # prints  got message on numbers: "1"
//
// The async Subscriber in a loop: each next_message() suspends the coroutine until the server
// pushes something. Book: chapter 12, "Using it from code".
#include "client/client.hpp"
#include "client/reply_format.hpp"
#include "client/subscriber.hpp"

#include "mini_redis/exercise.hpp"

#include <exception>
#include <iostream>
#include <string>

namespace {

using namespace mini_redis;

// [book: print-messages]
/// Subscribes to "numbers" on 127.0.0.1:`port` and prints each message as it arrives.
asio::awaitable<void> print_messages(unsigned short port)
{
    // EXERCISE 12.4: Subscribe and print each message
    //
    // Connect to 127.0.0.1:port, turn the client into a subscriber to "numbers" (co_await
    // subscribe(std::move(client), ...)), then print `subscribed to numbers` on std::cerr, and
    // then, for each message from next_message() until it returns std::nullopt, print `got
    // message on CHANNEL: "CONTENT"` on std::cout.
    //
    // Check: ./workbook test 12   Stuck? ./workbook hint 12.4
    mini_redis::unused(port);
    co_await mini_redis::co_todo("12.4", "book/12-complete.md#exercise-124-subscribing");
    // END EXERCISE 12.4
}
// [end book: print-messages]

}  // namespace

// [book: sub-main]
int main(int argc, char** argv)
{
    const auto port = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 6379);
    asio::io_context context;
    int status = 0;
    asio::co_spawn(context, print_messages(port), [&status](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "sub: " << e.what() << "\n";
                status = 1;
            }
        }
    });
    context.run();
    return status;
}
// [end book: sub-main]
