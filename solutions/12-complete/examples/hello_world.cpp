// hello_world: the smallest program that uses the client library. Sets a key, reads it back.
//
//     ./workbook run                      # in one terminal: the server
//     build/.../hello_world [port]        # in another: prints  got value from the server: "world"
//
// It shows the shape of any coroutine program with Asio: an io_context, one co_spawn of the
// top-level coroutine with a handler that reports how it ended, and run(). Book: chapter 12,
// "Using it from code".
#include "client/client.hpp"
#include "client/reply_format.hpp"

#include "mini_redis/exercise.hpp"

#include <exception>
#include <iostream>
#include <string>

namespace {

using namespace mini_redis;

// [book: hello-world]
/// Connects to 127.0.0.1:`port`, sets "hello" to "world", gets it back and prints it.
asio::awaitable<void> hello_world(unsigned short port)
{
    // EXERCISE 12.1: Set a key and read it back
    auto client = co_await client::Client::connect("127.0.0.1", port);
    co_await client.set("hello", "world");
    auto value = co_await client.get("hello");
    std::cout << "got value from the server: " << (value ? client::quote(*value) : "(nil)")
              << std::endl;
    // END EXERCISE 12.1
}
// [end book: hello-world]

}  // namespace

int main(int argc, char** argv)
{
    // EXERCISE 12.2: Run the coroutine and report how it ended
    const auto port = static_cast<unsigned short>(argc > 1 ? std::stoi(argv[1]) : 6379);
    asio::io_context context;
    int status = 0;
    asio::co_spawn(context, hello_world(port), [&status](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "hello_world: " << e.what() << "\n";
                status = 1;
            }
        }
    });
    context.run();  // returns when hello_world has finished: nothing else is left to do
    return status;
    // END EXERCISE 12.2
}
