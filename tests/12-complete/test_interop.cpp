// Chapter 12 with real clients: redis-cli, redis-benchmark and redis-py (Debian's python3-redis)
// against the finished mini-redis-server, started as a process. Programs we did not write are the
// best proof that we speak the protocol as Redis does.
#include "complete_test.hpp"

#include "mini_redis/testing/run_program.hpp"
#include "mini_redis/testing/server_process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <string>
#include <vector>

using mini_redis::testing::ProgramResult;
using mini_redis::testing::run_program;
using mini_redis::testing::ServerProcess;

namespace {

/// redis-cli with `words` against the server on `port`; its output is piped, so raw.
ProgramResult redis_cli(const std::string& port, std::vector<std::string> words)
{
    words.insert(words.begin(), {"redis-cli", "-p", port});
    return run_program(words);
}

}  // namespace

TEST_CASE("redis-cli: commands, mass insertion with --pipe, and subscribe", "[ch12]")
{
    auto server = ch12_test::start_server();
    const auto port = std::to_string(server->port());

    CHECK(redis_cli(port, {"ping"}).output == "PONG\n");
    CHECK(redis_cli(port, {"set", "greeting", "hello world", "px", "60000"}).output == "OK\n");
    CHECK(redis_cli(port, {"get", "greeting"}).output == "hello world\n");
    CHECK(redis_cli(port, {"get", "missing"}).output == "\n");
    CHECK(redis_cli(port, {"set", "k", "v", "ex", "0"}).output ==
          "ERR invalid expire time in 'set' command\n\n");

    std::string commands;
    for (int i = 0; i < 10000; ++i) {
        commands += "SET key:" + std::to_string(i) + " value:" + std::to_string(i) + "\r\n";
    }
    auto pipe = run_program({"redis-cli", "-p", port, "--pipe"}, commands);
    INFO(pipe.output);
    CHECK(pipe.status == 0);
    CHECK_THAT(pipe.output, Catch::Contains("errors: 0, replies: 10000"));
    CHECK(redis_cli(port, {"get", "key:9999"}).output == "value:9999\n");

    ServerProcess subscriber(mini_redis::testing::find_on_path("redis-cli"),
                             {"-p", port, "subscribe", "news", "sport"}, std::chrono::seconds(10),
                             "subscribe\nsport\n2\n");
    CHECK(redis_cli(port, {"publish", "sport", "goal"}).output == "1\n");
    subscriber.wait_for_output("message\nsport\ngoal\n", std::chrono::seconds(5));
}

TEST_CASE("redis-benchmark: a short run of SET, GET and PING, plain and pipelined, no errors",
          "[ch12]")
{
    auto server = ch12_test::start_server();
    const auto port = std::to_string(server->port());
    for (const char* pipeline : {"1", "16"}) {
        INFO("pipeline " << pipeline);
        // -n bounds the run (2,000 requests per test); -q prints one line per test.
        auto result = run_program({"redis-benchmark", "-p", port, "-t", "set,get,ping", "-n",
                                   "2000", "-c", "10", "-P", pipeline, "-q"},
                                  {}, std::chrono::seconds(60));
        INFO(result.output);
        CHECK(result.status == 0);
        for (const char* test : {"SET: ", "GET: ", "PING_INLINE: ", "PING_MBULK: "}) {
            CHECK_THAT(result.output, Catch::Contains(test));
        }
        // "Could not fetch server CONFIG" is expected: CONFIG is not a command of ours.
        CHECK_THAT(result.output, !Catch::Contains("Error", Catch::CaseSensitive::No));
    }
}

TEST_CASE("redis-py (python3-redis): core commands, a pipeline, and pub/sub", "[ch12]")
{
    auto server = ch12_test::start_server();
    // The system's Python, which is where Debian's python3-redis lives.
    const std::string script = R"(
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=5)
assert r.ping() is True
assert r.set("greeting", "hello") is True
assert r.get("greeting") == b"hello"
assert r.get("missing") is None
assert r.set("brief", "x", px=60000) is True
assert r.set("brief", "y", ex=60) is True
assert r.get("brief") == b"y"
try:
    r.execute_command("FOO", "bar")
    sys.exit("FOO did not fail")
except redis.ResponseError as e:
    assert "unknown command 'FOO'" in str(e), str(e)

# No MULTI/EXEC yet, so transaction=False: the commands go out in one batch.
pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.set(f"k{i}", i)
for i in range(100):
    pipe.get(f"k{i}")
results = pipe.execute()
assert results[:100] == [True] * 100, results[:100]
assert results[100:] == [str(i).encode() for i in range(100)], results[100:]

p = r.pubsub()
p.subscribe("news", "sport")
confirmations = [p.get_message(timeout=5) for _ in range(2)]
assert [c["type"] for c in confirmations] == ["subscribe", "subscribe"], confirmations
assert r.publish("sport", "goal") == 1
message = p.get_message(timeout=5)
assert message == {"type": "message", "pattern": None, "channel": b"sport", "data": b"goal"}, message
p.unsubscribe("sport")
assert p.get_message(timeout=5)["type"] == "unsubscribe"
assert r.publish("sport", "ignored") == 0
p.close()
print("all good")
)";
    auto result = run_program({"/usr/bin/python3", "-c", script, std::to_string(server->port())},
                              {}, std::chrono::seconds(30));
    INFO(result.output);
    CHECK(result.status == 0);
    CHECK(result.output == "all good\n");
}
