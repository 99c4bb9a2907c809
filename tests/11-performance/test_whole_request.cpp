// Chapter 11: a request that is all here, read in one pass (exercise 11.7). Without sockets:
// whole_request() itself, which must build the usual request and leave everything else alone,
// and the request parser around it, whose frames and errors must stay what its two passes gave.
#include "frame.hpp"
#include "parser.hpp"

#include "mini_redis/testing/allocations.hpp"
#include "mini_redis/testing/escape_bytes.hpp"
#include "mini_redis/testing/print_frame.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

using mini_redis::Frame;
using mini_redis::Parser;
using mini_redis::ParserLimits;
using mini_redis::Syntax;
using mini_redis::whole_request;
using namespace std::string_literals;

namespace {

/// A request as the parser builds it: an array of bulk strings.
Frame bulks(const std::vector<std::string>& words)
{
    Frame::Array items;
    for (const auto& word : words) {
        items.push_back(Frame::bulk(word));
    }
    return Frame::array(std::move(items));
}

/// The same request as a client library sends it (chapter 2's encoder).
std::string wire(const std::vector<std::string>& words)
{
    return mini_redis::encode(bulks(words));
}

/// What a request parser makes of `input` fed `step` bytes at a time: its frames, or its first
/// error (then an empty list).
struct Fed {
    std::vector<Frame> frames;
    std::string error;
};

Fed feed(const std::string& input, std::size_t step, ParserLimits limits = {})
{
    Parser parser(limits, Syntax::requests);
    Fed fed;
    std::string buffer;
    for (std::size_t at = 0; at < input.size(); at += step) {
        buffer += input.substr(at, step);
        for (;;) {
            auto result = parser.parse(buffer);
            if (result.status == Parser::Status::error) {
                fed.error = result.error;
                return fed;
            }
            if (result.status == Parser::Status::needs_more) {
                break;
            }
            fed.frames.push_back(std::move(result.frame));
            buffer.erase(0, result.consumed);
        }
    }
    return fed;
}

}  // namespace

TEST_CASE("a whole request is read in one pass, with the bytes it used", "[ch11][ex11.7]")
{
    const std::vector<std::vector<std::string>> requests = {
        {"PING"},
        {"SET", "key:000000012345", "xxx"},
        {"SET", "k", ""},
        {"ECHO", "line one\r\nline two\r\n$3\r\n"},  // RESP inside an argument is just bytes
        {"SET", std::string(100'000, 'v'), "\0\r\n\0"s},
        {"MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"},
    };
    for (const auto& words : requests) {
        const auto request = wire(words);
        // What follows the request (here the next one, then half of another) is not its business.
        const auto input = request + wire({"GET", "k"}) + "*2\r\n$3\r\nGE";
        INFO(mini_redis::testing::escape_bytes(request, 80));
        const auto whole = whole_request(input, {});
        REQUIRE(whole.has_value());
        CHECK(whole->request == bulks(words));
        CHECK(whole->consumed == request.size());
    }
}

TEST_CASE("anything but a whole request in the usual form is left to the two passes",
          "[ch11][ex11.7]")
{
    const auto set = wire({"SET", "key", "value"});
    // Every part of a request that is not all of it: the rest has not arrived.
    for (std::size_t length = 0; length < set.size(); ++length) {
        INFO("the first " << length << " bytes of a SET");
        CHECK_FALSE(whole_request(set.substr(0, length), {}).has_value());
    }
    const std::vector<std::string> others = {
        "PING\r\n",                                 // an inline command
        "*0\r\n",                                   // empty: skipped without a reply
        "*-1\r\n",                                  // so is a negative count
        "*1\r\n+PING\r\n",                          // a simple string as an argument
        "*2\r\n$3\r\nGET\r\n:5\r\n",                // an integer as an argument
        "$4\r\nPING\r\n",                           // not an array
        "*1\r\n$04\r\nPING\r\n",                    // a leading zero: a protocol error
        "*01\r\n$4\r\nPING\r\n",                    // in the count too
        "*1\r\n$-1\r\n",                            // a null argument: a protocol error
        "*1\r\n$4\r\nPINGXY",                       // no \r\n after the bytes: a protocol error
        "*1\r\n$4\r\nPING\rX",                      // half of one
        "*1\r\n$99999999999999999999\r\n",          // a length past int64: a protocol error
        "*1\r\n$18446744073709551619\r\nabc\r\n",   // 2^64 + 3: wrapped, it would read 3
        "*18446744073709551617\r\n$4\r\nPING\r\n",  // 2^64 + 1: a count that would read 1
        "*1\r\n$\r\n\r\n",                          // no digits at all
        "*\r\n",                                    // nor here
        "*1\r\n$ 4\r\nPING\r\n",                    // a space: a protocol error
        "*1\r\n$4\nPING\r\n",                       // a bare \n ends no header
    };
    for (const auto& input : others) {
        INFO(mini_redis::testing::escape_bytes(input));
        CHECK_FALSE(whole_request(input, {}).has_value());
    }
    // The limits hold here too: the two passes answer with Redis's errors.
    ParserLimits limits;
    limits.max_bulk_length = 4;
    limits.max_array_length = 2;
    CHECK(whole_request(wire({"GET", "four"}), limits).has_value());
    CHECK_FALSE(whole_request(wire({"GET", "fiver"}), limits).has_value());
    CHECK_FALSE(whole_request(wire({"SET", "k", "v"}), limits).has_value());
}

TEST_CASE("a stream of requests comes out of the parser as before, whole or in pieces",
          "[ch11][ex11.7]")
{
    // Requests of 1 to 5 arguments, binary ones included, with inline commands and empty
    // requests (skipped without a frame) between them: the shortcut and the two passes take
    // turns, and every frame must start where the last one ended.
    std::mt19937 random(11);
    std::string input;
    std::vector<Frame> expected;
    for (int i = 0; i < 300; ++i) {
        switch (random() % 8) {
        case 0:
            input += "PING\r\n";
            expected.push_back(bulks({"PING"}));
            break;
        case 1:
            input += "*0\r\n";
            break;
        default: {
            std::vector<std::string> words(1 + random() % 5);
            for (auto& word : words) {
                word.resize(random() % 40);
                for (auto& c : word) {
                    c = static_cast<char>(random() % 256);
                }
            }
            input += wire(words);
            expected.push_back(bulks(words));
        }
        }
    }
    // Pieces of 64 and 100 bytes let the shortcut take whole requests and then leave one cut in
    // two to the next read; pieces of 1, 2 and 7 leave every request to the two passes.
    for (std::size_t step : {input.size(), std::size_t{1}, std::size_t{2}, std::size_t{7},
                             std::size_t{64}, std::size_t{100}}) {
        INFO("fed " << step << " bytes at a time");
        const auto fed = feed(input, step);
        CHECK(fed.error.empty());
        CHECK(fed.frames == expected);
    }
}

TEST_CASE("a malformed request still gets Redis's error, whole or in pieces", "[ch11][ex11.7]")
{
    for (std::size_t step : {std::size_t{1}, std::size_t{100}}) {
        INFO("fed " << step << " bytes at a time");
        CHECK(feed("*1\r\n$04\r\nPING\r\n", step).error == "invalid bulk length");
        CHECK(feed("*1\r\n$-1\r\n", step).error == "invalid bulk length");
        CHECK(feed("*01\r\n$4\r\nPING\r\n", step).error == "invalid multibulk length");
        CHECK(feed("*1\r\n$4\r\nPINGXY\r\n", step).error ==
              "expected \\r\\n after the bulk string");
        ParserLimits limits;
        limits.max_bulk_length = 4;
        CHECK(feed(wire({"GET", "fiver"}), step, limits).error == "invalid bulk length");
        limits.max_array_length = 2;
        CHECK(feed(wire({"SET", "k", "v"}), step, limits).error == "invalid multibulk length");
        // The requests before a bad one are served.
        const auto fed = feed(wire({"GET", "k"}) + "*1\r\n$4\r\nPINGXY\r\n", step);
        CHECK(fed.frames == std::vector{bulks({"GET", "k"})});
        CHECK(fed.error == "expected \\r\\n after the bulk string");
    }
}

TEST_CASE("limits tighter than the shortcut reads are the two passes' to enforce", "[ch11][ex11.7]")
{
    // whole_request reads lengths of up to 18 digits in arrays one deep; a parser whose limits
    // allow less leaves every request to the two passes, which refuse what they must.
    ParserLimits short_lines;
    short_lines.max_line_length = 1;
    CHECK(feed(wire({"ECHO", "0123456789"}), 100, short_lines).error == "line too long");
    ParserLimits flat;
    flat.max_depth = 0;
    CHECK(feed(wire({"PING"}), 100, flat).error == "too deeply nested arrays");
}

TEST_CASE("a request is given room for its own arguments, not for the bytes after it",
          "[ch11][ex11.7]")
{
    // A pipelined read: a GET, then 16 KB of further requests. Room for as many arguments as 16 KB
    // could hold would be about 100 KB for a request of two.
    std::string input = wire({"GET", "k"});
    while (input.size() < 16 * 1024) {
        input += wire({"SET", "key", "value"});
    }
    const std::size_t before = mini_redis::testing::allocated_bytes();
    const auto whole = whole_request(input, {});
    const std::size_t used = mini_redis::testing::allocated_bytes() - before;
    REQUIRE(whole.has_value());
    CHECK(whole->request == bulks({"GET", "k"}));
    CHECK(used < 1024);
}

TEST_CASE("a request that claims a million arguments allocates nothing for them in advance",
          "[ch11][ex11.7]")
{
    // Two of the million are here. Room for a million frames would be 40 MB, for the price of a
    // header line; room for what the bytes here can hold is a few frames.
    const std::string input = "*1000000\r\n" + wire({"GET", "k"}).substr(4);
    Parser parser({}, Syntax::requests);
    const std::size_t before = mini_redis::testing::allocated_bytes();
    CHECK(parser.parse(input).status == Parser::Status::needs_more);
    CHECK(mini_redis::testing::allocated_bytes() - before < 4096);
}
