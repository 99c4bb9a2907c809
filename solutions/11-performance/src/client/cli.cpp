// mini-redis-cli: one command to a server from the shell, printed like redis-cli prints it.
//
//     mini-redis-cli set greeting hello        OK
//     mini-redis-cli get greeting              "hello"
//     mini-redis-cli subscribe news            (prints messages until Ctrl-C)
//
// A plain program, no coroutines of its own: it uses the BlockingClient. Exit status: 0 when
// the command worked, 1 when the server answered with an error, 2 when the server could not be
// reached, the connection failed or the server gave no answer within --timeout (with a one-line
// message on stderr); a mistyped command line
// gets CLI11's usage message and status. Unlike redis-cli, which prints an error reply on stdout
// and exits 0, we print it on stderr (`(error) ERR ...`) and exit 1, so that a script can tell.
// Command names are case-insensitive (SET or set), as Redis's are.
// Book: chapter 09, "The command-line client".
#include "client/blocking_client.hpp"
#include "client/reply_format.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using mini_redis::Frame;
using namespace mini_redis::client;

/// Exit statuses, as the file comment lists them.
constexpr int exit_error_reply = 1;
constexpr int exit_connection_failed = 2;

/// What the user asked for on the command line.
struct Request {
    std::string host = "127.0.0.1";
    unsigned short port = 6379;
    double timeout_seconds = 0;  // 0: wait as long as it takes
    std::string key;             // get, set
    std::string value;
    std::optional<std::int64_t> expires_ms;
    std::optional<std::string> message;  // ping, publish
    std::string channel;                 // publish
    std::vector<std::string> channels;   // subscribe
};

/// Prints one reply on stdout, flushed at once so that a program reading a pipe (a subscriber's
/// messages, say) sees each line when it happens.
void print(const Frame& reply, OutputStyle style)
{
    std::cout << format_reply(reply, style) << std::endl;
}

/// Runs the chosen subcommand on a connected client; returns the exit status.
int run(CLI::App& app, BlockingClient client, const Request& request, OutputStyle style)
{
    if (app.got_subcommand("ping")) {
        auto reply = client.ping(request.message);
        // PONG is a status (printed bare), an echoed message a string (printed quoted).
        print(request.message ? Frame::bulk(reply) : Frame::simple(reply), style);
    } else if (app.got_subcommand("get")) {
        auto value = client.get(request.key);
        print(value ? Frame::bulk(*value) : Frame::null(), style);
    } else if (app.got_subcommand("set")) {
        if (request.expires_ms) {
            client.set_expires(request.key, request.value,
                               std::chrono::milliseconds(*request.expires_ms));
        } else {
            client.set(request.key, request.value);
        }
        print(Frame::simple("OK"), style);
    } else if (app.got_subcommand("publish")) {
        print(Frame::integer(client.publish(request.channel, *request.message)), style);
    } else {
        auto subscriber = std::move(client).subscribe(request.channels);
        // A status line, not data: on stderr, so a program reading the messages never sees it.
        std::cerr << "Reading messages... (press Ctrl-C to quit)" << std::endl;
        while (auto message = subscriber.next_message()) {
            print(Frame::array({Frame::bulk("message"), Frame::bulk(message->channel),
                                Frame::bulk(message->content)}),
                  style);
        }
        std::cerr << "mini-redis-cli: the server closed the connection\n";
        return exit_connection_failed;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"mini-redis-cli: send one command to a Redis-compatible server"};
    // -h is the host, as in redis-cli, so help is --help only.
    app.set_help_flag("--help", "Print this help and exit");
    Request request;
    app.add_option("-h,--host,--hostname", request.host, "Server host name or address")
        ->capture_default_str();
    app.add_option("-p,--port", request.port, "Server port")->capture_default_str();
    app.add_option("-t,--timeout", request.timeout_seconds,
                   "Give up after this many seconds (decimals allowed) without an answer from "
                   "the server, connecting included; 0 waits as long as it takes")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.require_subcommand(1);
    app.ignore_case();  // before adding the subcommands, which inherit it: SET works as set

    auto* ping = app.add_subcommand("ping", "Check the server answers (PONG, or MESSAGE back)");
    ping->add_option("message", request.message, "Text for the server to send back");
    auto* get = app.add_subcommand("get", "Print the value of KEY, or (nil)");
    get->add_option("key", request.key)->required();
    auto* set = app.add_subcommand("set", "Store VALUE under KEY");
    set->add_option("key", request.key)->required();
    set->add_option("value", request.value)->required();
    set->add_option("--expires", request.expires_ms, "Expire the key after this many ms");
    auto* publish = app.add_subcommand("publish", "Send MESSAGE to CHANNEL's subscribers");
    publish->add_option("channel", request.channel)->required();
    publish->add_option("message", request.message)->required();
    auto* subscribe = app.add_subcommand("subscribe", "Print messages sent to CHANNELs");
    subscribe->add_option("channels", request.channels)->required();
    CLI11_PARSE(app, argc, argv);

    // Quoted and labelled for a person; raw for a program reading a pipe.
    const auto style = isatty(STDOUT_FILENO) ? OutputStyle::terminal : OutputStyle::raw;
    std::optional<BlockingClient> client;
    try {
        const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::duration<double>(request.timeout_seconds));
        client.emplace(BlockingClient::connect(request.host, request.port, timeout));
    } catch (const boost::system::system_error& e) {
        std::cerr << "Could not connect to " << request.host << ":" << request.port << ": "
                  << e.code().message() << "\n";
        return exit_connection_failed;
    } catch (const std::exception& e) {
        std::cerr << "mini-redis-cli: " << e.what() << "\n";  // e.g. an exercise not done yet
        return exit_connection_failed;
    }
    try {
        return run(app, std::move(*client), request, style);
    } catch (const ServerError& e) {
        std::cerr << "(error) " << e.what() << "\n";
        return exit_error_reply;
    } catch (const std::exception& e) {
        // The connection failed, or the server spoke something we did not understand.
        std::cerr << "mini-redis-cli: " << e.what() << "\n";
        return exit_connection_failed;
    }
}
