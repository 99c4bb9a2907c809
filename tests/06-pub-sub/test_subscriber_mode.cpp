// Chapter 06: subscriber mode, byte for byte as Redis does it (exercise 06.11's rules, and
// exercise 06.13's unsubscribing), checked against our server and against a real redis-server.
#include "pubsub.hpp"

#include "mini_redis/testing/real_redis.hpp"
#include "mini_redis/testing/reply_table.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ch06_test;
using mini_redis::testing::ReplyCase;
using mini_redis::testing::TestClient;

namespace {

const std::string not_allowed =
    " only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n";

/// Every case leaves at most one channel with a bare UNSUBSCRIBE: Redis leaves several in the
/// order of its hash table, which changes from run to run (and so do we).
const std::vector<ReplyCase>& subscriber_mode_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"UNSUBSCRIBE with no subscriptions", "UNSUBSCRIBE\r\n",
         "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"},
        {"UNSUBSCRIBE from a channel we are not on", "UNSUBSCRIBE x\r\n",
         confirmation("unsubscribe", "x", 0)},
        {"SUBSCRIBE without a channel", "SUBSCRIBE\r\n",
         "-ERR wrong number of arguments for 'subscribe' command\r\n"},
        {"PUBLISH without a message", "PUBLISH a\r\n",
         "-ERR wrong number of arguments for 'publish' command\r\n"},
        {"PUBLISH to nobody", "PUBLISH c06:nobody hi\r\n", ":0\r\n"},
        {"subscriber mode from start to end",
         "SUBSCRIBE c06:a c06:b\r\nSUBSCRIBE c06:a\r\nPING\r\nPING hi\r\nGET "
         "c06:k\r\nGET\r\nFOO\r\n"
         "PUBLISH c06:a x\r\nSET c06:k v\r\nECHO x\r\nUNSUBSCRIBE c06:zz\r\nUNSUBSCRIBE c06:b\r\n"
         "UNSUBSCRIBE\r\nGET c06:k\r\n",
         confirmation("subscribe", "c06:a", 1) + confirmation("subscribe", "c06:b", 2) +
             confirmation("subscribe", "c06:a", 2) + "*2\r\n$4\r\npong\r\n$0\r\n\r\n" +
             "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n" + "-ERR Can't execute 'get':" + not_allowed +
             "-ERR wrong number of arguments for 'get' command\r\n" +
             "-ERR unknown command 'FOO', with args beginning with: \r\n" +
             "-ERR Can't execute 'publish':" + not_allowed + "-ERR Can't execute 'set':" +
             not_allowed + "-ERR Can't execute 'echo':" + not_allowed +
             confirmation("unsubscribe", "c06:zz", 2) + confirmation("unsubscribe", "c06:b", 1) +
             confirmation("unsubscribe", "c06:a", 0) + "$-1\r\n"},
        {"while subscribed, a command's options are not even looked at, its arity is",
         "SUBSCRIBE c06:o\r\nSET c06:k v EX 0\r\nSET c06:k v PX\r\nSET c06:k\r\nUNSUBSCRIBE\r\n",
         confirmation("subscribe", "c06:o", 1) + "-ERR Can't execute 'set':" + not_allowed +
             "-ERR Can't execute 'set':" + not_allowed +
             "-ERR wrong number of arguments for 'set' command\r\n" +
             confirmation("unsubscribe", "c06:o", 0)},
        {"QUIT while subscribed", "SUBSCRIBE c06:q\r\nQUIT\r\nPING\r\n",
         confirmation("subscribe", "c06:q", 1) + "+OK\r\n"},
    };
    return cases;
}

/// The rules of respond() (exercise 06.11), one connection each, ending with QUIT so that no
/// UNSUBSCRIBE is needed: what a subscribed connection may send, and what it is told.
const std::vector<ReplyCase>& respond_cases()
{
    static const std::vector<ReplyCase> cases = {
        {"out of subscriber mode, PING is +PONG and GET runs", "PING\r\nGET c06:r\r\nQUIT\r\n",
         "+PONG\r\n$-1\r\n+OK\r\n"},
        {"while subscribed: SUBSCRIBE again, PING as an array, other commands refused, arity "
         "and names first",
         "SUBSCRIBE c06:r\r\nSUBSCRIBE c06:s\r\nPING\r\nPING hi\r\nGET c06:r\r\nGET\r\nFOO\r\nSET "
         "c06:r v EX "
         "0\r\nPUBLISH c06:r x\r\nQUIT\r\n",
         confirmation("subscribe", "c06:r", 1) + confirmation("subscribe", "c06:s", 2) +
             "*2\r\n$4\r\npong\r\n$0\r\n\r\n" + "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n" +
             "-ERR Can't execute 'get':" + not_allowed +
             "-ERR wrong number of arguments for 'get' command\r\n" +
             "-ERR unknown command 'FOO', with args beginning with: \r\n" +
             "-ERR Can't execute 'set':" + not_allowed +
             "-ERR Can't execute 'publish':" + not_allowed + "+OK\r\n"},
        {"QUIT while subscribed ends the connection: nothing after it is answered",
         "SUBSCRIBE c06:q\r\nQUIT\r\nPING\r\n", confirmation("subscribe", "c06:q", 1) + "+OK\r\n"},
    };
    return cases;
}

}  // namespace

TEST_CASE("respond() answers as Redis does, in subscriber mode and out of it", "[ch06][ex06.11]")
{
    mini_redis::Db db;
    auto server = pubsub_server(db);
    mini_redis::testing::check_replies(server.port(), respond_cases());
}

TEST_CASE("redis-server answers the rules of subscriber mode as respond() does", "[ch06][redis]")
{
    mini_redis::testing::RealRedis redis;
    mini_redis::testing::check_replies(redis.port(), respond_cases());
}

TEST_CASE("subscriber mode answers exactly as the table says", "[ch06][ex06.13]")
{
    mini_redis::Db db;
    auto server = pubsub_server(db);
    mini_redis::testing::check_replies(server.port(), subscriber_mode_cases());
}

TEST_CASE("redis-server answers subscriber mode exactly as the table says", "[ch06][redis]")
{
    mini_redis::testing::RealRedis redis;
    mini_redis::testing::check_replies(redis.port(), subscriber_mode_cases());
}

TEST_CASE("mini-redis's send_error_get_set_after_subscribe: errors, and still subscribed",
          "[ch06][ex06.11]")
{
    mini_redis::Db db;
    auto server = pubsub_server(db);
    TestClient subscriber(server.port());
    subscriber.send(command({"SUBSCRIBE", "hello"}));
    CHECK(subscriber.read_reply() == confirmation("subscribe", "hello", 1));
    subscriber.send(command({"SET", "foo", "bar"}));
    CHECK(subscriber.read_reply() == "-ERR Can't execute 'set':" + not_allowed);
    subscriber.send(command({"GET", "foo"}));
    CHECK(subscriber.read_reply() == "-ERR Can't execute 'get':" + not_allowed);

    TestClient publisher(server.port());
    publisher.send(command({"PUBLISH", "hello", "still here"}));
    CHECK(publisher.read_reply() == ":1\r\n");
    CHECK(subscriber.read_reply() == message("hello", "still here"));
}
