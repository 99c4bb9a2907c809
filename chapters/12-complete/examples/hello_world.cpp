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
[[maybe_unused]] asio::awaitable<void> hello_world(unsigned short port)
{
    // EXERCISE 12.1: Set a key and read it back
    //
    // Connect to 127.0.0.1:port with client::Client::connect, set "hello" to "world", get
    // "hello" back and print one line: `got value from the server: "world"` (client::quote()
    // adds the quotes), or `(nil)` if the key is missing.
    //
    // Check: ./workbook test 12   Stuck? ./workbook hint 12.1
    mini_redis::unused(port);
    co_await mini_redis::co_todo("12.1", "book/12-complete.md#exercise-121-hello-world");
    // END EXERCISE 12.1
}
// [end book: hello-world]

}  // namespace

int main(int argc, char** argv)
{
    // EXERCISE 12.2: Run the coroutine and report how it ended
    //
    // The program's main: take the port from argv[1] (6379 without it), run hello_world(port)
    // to the end on an io_context, and return 0. If the coroutine ends with an exception (no
    // server listening, say), print `hello_world: ` and the exception's what() on std::cerr and
    // return 1.
    //
    // Check: ./workbook test 12   Stuck? ./workbook hint 12.2
    mini_redis::unused(argc, argv);
    mini_redis::todo("12.2", "book/12-complete.md#exercise-122-running-the-coroutine");
    // END EXERCISE 12.2
}
