// Chapter 03's table of requests and the exact bytes Redis 7 replies with.
//
// The table comes in groups, one per exercise whose mistakes its cases catch: test_replies.cpp
// checks our server against each group in a test tagged with that exercise. test_differential.cpp
// checks a real redis-server against all of them, so the table itself is proven to be Redis's
// behaviour (see mini_redis/testing/reply_table.hpp). Every case uses keys of its own, so the cases
// do not depend on each other's data.
#pragma once

#include "mini_redis/testing/reply_table.hpp"

#include <string>
#include <vector>

namespace ch03_test {

using namespace std::string_literals;
using mini_redis::testing::ReplyCase;

/// Command names are case-insensitive: the cursor lower-cases them (exercise 03.1).
inline const std::vector<ReplyCase>& name_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"command names in any case",
         "*3\r\n$3\r\nsEt\r\n$6\r\nc03:cs\r\n$1\r\nv\r\n*2\r\n$3\r\nget\r\n$6\r\nc03:cs\r\n*1\r\n$"
         "4\r\nPiNg\r\n",
         "+OK\r\n$1\r\nv\r\n+PONG\r\n"},
    };
    return cases;
}

/// Commands we do not know, quoted as Redis quotes them (exercise 03.4).
inline const std::vector<ReplyCase>& unknown_command_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"an unknown command", "*2\r\n$3\r\nFOO\r\n$5\r\nhello\r\n",
         "-ERR unknown command 'FOO', with args beginning with: 'hello' \r\n"},
        {"an unknown command without arguments", "*1\r\n$6\r\nfooBar\r\n",
         "-ERR unknown command 'fooBar', with args beginning with: \r\n"},
        {"an unknown command quotes only its first 128 bytes of arguments",
         "*4\r\n$3\r\nfoo\r\n$100\r\n" + std::string(100, 'a') + "\r\n$100\r\n" +
             std::string(100, 'b') + "\r\n$1\r\nc\r\n",
         "-ERR unknown command 'foo', with args beginning with: '" + std::string(100, 'a') + "' '" +
             std::string(25, 'b') + "' \r\n"},
        {"an unknown command with a newline and a NUL in its arguments",
         "*3\r\n$3\r\nfoo\r\n$3\r\na\nb\r\n$3\r\nc\0d\r\n"s,
         "-ERR unknown command 'foo', with args beginning with: 'a b' 'c' \r\n"},
    };
    return cases;
}

/// Each command's arguments: counts and options (exercise 03.5).
inline const std::vector<ReplyCase>& argument_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"PING with two arguments", "*3\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\nb\r\n",
         "-ERR wrong number of arguments for 'ping' command\r\n"},
        {"ECHO without a message", "*1\r\n$4\r\nECHO\r\n",
         "-ERR wrong number of arguments for 'echo' command\r\n"},
        {"GET without a key", "*1\r\n$3\r\nGET\r\n",
         "-ERR wrong number of arguments for 'get' command\r\n"},
        {"GET with two keys", "*3\r\n$3\r\nGET\r\n$1\r\na\r\n$1\r\nb\r\n",
         "-ERR wrong number of arguments for 'get' command\r\n"},
        {"SET without a value", "*2\r\n$3\r\nSET\r\n$6\r\nc03:nv\r\n",
         "-ERR wrong number of arguments for 'set' command\r\n"},
        {"SET with an unknown option",
         "*4\r\n$3\r\nSET\r\n$6\r\nc03:uo\r\n$1\r\nv\r\n$3\r\nFOO\r\n", "-ERR syntax error\r\n"},
    };
    return cases;
}

/// The replies of well-formed commands (exercise 03.6).
inline const std::vector<ReplyCase>& command_reply_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"PING", "*1\r\n$4\r\nPING\r\n", "+PONG\r\n"},
        {"PING with a message", "*2\r\n$4\r\nPING\r\n$5\r\nhello\r\n", "$5\r\nhello\r\n"},
        {"PING with a UTF-8 message", "*2\r\n$4\r\nPING\r\n$6\r\n\xe4\xbd\xa0\xe5\xa5\xbd\r\n",
         "$6\r\n\xe4\xbd\xa0\xe5\xa5\xbd\r\n"},
        {"ECHO", "*2\r\n$4\r\nECHO\r\n$3\r\nhey\r\n", "$3\r\nhey\r\n"},
        {"GET of a missing key", "*2\r\n$3\r\nGET\r\n$9\r\nc03:never\r\n", "$-1\r\n"},
        {"SET then GET",
         "*3\r\n$3\r\nSET\r\n$6\r\nc03:sg\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$6\r\nc03:sg\r\n",
         "+OK\r\n$5\r\nvalue\r\n"},
        {"SET replaces the old value",
         "*3\r\n$3\r\nSET\r\n$6\r\nc03:rp\r\n$3\r\nold\r\n*3\r\n$3\r\nSET\r\n$6\r\nc03:rp\r\n$"
         "3\r\nnew\r\n"
         "*2\r\n$3\r\nGET\r\n$6\r\nc03:rp\r\n",
         "+OK\r\n+OK\r\n$3\r\nnew\r\n"},
        {"binary-safe keys and values",
         "*3\r\n$3\r\nSET\r\n$8\r\nc03:\0\r\n\xff\r\n$5\r\n\0\r\n\0\xfe\r\n*2\r\n$3\r\nGET\r\n$8\r\nc03:\0\r\n\xff\r\n"s,
         "+OK\r\n$5\r\n\0\r\n\0\xfe\r\n"s},
        {"an empty value",
         "*3\r\n$3\r\nSET\r\n$6\r\nc03:ev\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$6\r\nc03:ev\r\n",
         "+OK\r\n$0\r\n\r\n"},
    };
    return cases;
}

/// The session: QUIT (with any arguments) closes, protocol errors are answered, then close
/// (exercise 03.7).
inline const std::vector<ReplyCase>& session_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"QUIT replies OK and closes", "*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n", "+OK\r\n"},
        {"QUIT takes any arguments",
         "*3\r\n$4\r\nQUIT\r\n$3\r\nnow\r\n$6\r\nplease\r\n*1\r\n$4\r\nPING\r\n", "+OK\r\n"},
        {"a non-numeric bulk length", "*1\r\n$abc\r\n",
         "-ERR Protocol error: invalid bulk length\r\n"},
        {"a bulk length of -2", "*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"a null argument", "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
        {"a bulk length over 512 MiB", "*1\r\n$536870913\r\n",
         "-ERR Protocol error: invalid bulk length\r\n"},
        {"a non-numeric array length", "*abc\r\n",
         "-ERR Protocol error: invalid multibulk length\r\n"},
        {"an array length with a leading zero", "*01\r\n$4\r\nPING\r\n",
         "-ERR Protocol error: invalid multibulk length\r\n"},
        {"an array length of -0", "*-0\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
        {"an array length with a plus sign", "*+1\r\n$4\r\nPING\r\n",
         "-ERR Protocol error: invalid multibulk length\r\n"},
        {"a bulk length with a leading zero", "*1\r\n$04\r\nPING\r\n",
         "-ERR Protocol error: invalid bulk length\r\n"},
        {"a bulk length with a space", "*1\r\n$ 4\r\nPING\r\n",
         "-ERR Protocol error: invalid bulk length\r\n"},
        {"a nested array as an argument", "*1\r\n*1\r\n",
         "-ERR Protocol error: expected '$', got '*'\r\n"},
        {"a CR or LF where an argument should start is quoted as a space",
         "*2\r\n$3\r\nGET\r\n\r\r\n", "-ERR Protocol error: expected '$', got ' '\r\n"},
        {"a LF where an argument should start", "*2\r\n$3\r\nGET\r\n\n\r\n",
         "-ERR Protocol error: expected '$', got ' '\r\n"},
        {"replies before a protocol error are sent", "*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n",
         "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
        {"a connection closed in the middle of a command gets no reply",
         "*2\r\n$3\r\nGET\r\n$3\r\nab", ""},
    };
    return cases;
}

/// Inline commands, typed as a plain line (exercises 03.8 to 03.10).
inline const std::vector<ReplyCase>& inline_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"inline commands", "PING\r\nSET c03:in \"a b\"\r\nGET c03:in\r\n",
         "+PONG\r\n+OK\r\n$3\r\na b\r\n"},
        {"inline commands with escapes and single quotes",
         "SET c03:esc \"x\\x41\\n\\\"\"\r\nGET c03:esc\r\nECHO 'it\\'s'\r\n",
         "+OK\r\n$4\r\nxA\n\"\r\n$4\r\nit's\r\n"},
        {"inline commands ending in a bare \\n", "PING\nPING\n", "+PONG\r\n+PONG\r\n"},
        {"empty lines and empty arrays are skipped", "\r\n   \r\n*0\r\n*-1\r\n*-42\r\nPING\r\n",
         "+PONG\r\n"},
        {"unbalanced quotes in an inline command", "PING\r\nSET \"a b\r\nPING\r\n",
         "+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n"},
    };
    return cases;
}

/// Every case of the chapter, for the differential test.
inline const std::vector<ReplyCase>& reply_cases()
{
    static const std::vector<ReplyCase> cases = [] {
        std::vector<ReplyCase> all;
        for (const auto* group : {&name_cases(), &unknown_command_cases(), &argument_cases(),
                                  &command_reply_cases(), &session_cases(), &inline_cases()}) {
            all.insert(all.end(), group->begin(), group->end());
        }
        return all;
    }();
    return cases;
}

}  // namespace ch03_test
