// Chapter 08: the parts of a shutdown on their own. Shutdown's listeners (exercises 08.2 and
// 08.3), FrameReader's read (08.6), Outbox::abort (08.7) and LiveSessions::wait_until_none (08.8).
#include "frame_reader.hpp"
#include "live_sessions.hpp"
#include "outbox.hpp"
#include "shutdown.hpp"

#include "mini_redis/testing/hang_guard.hpp"

#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using mini_redis::LiveSessions;
using mini_redis::Outbox;
using mini_redis::Shutdown;
using mini_redis::testing::hang_guard;
using namespace std::chrono_literals;
using Stage = Shutdown::Stage;

namespace {

/// Runs `work` on a thread of its own and says whether it returned before the hang guard. A
/// thread that deadlocked (a listener called with the lock held) is left behind, detached.
bool finishes(std::function<void()> work)
{
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    std::thread([work = std::move(work), done] {
        work();
        done->set_value();
    }).detach();
    return finished.wait_for(hang_guard(5s)) == std::future_status::ready;
}

/// Takes one batch from the outbox and records what take() said.
boost::asio::awaitable<void> take_once(std::shared_ptr<Outbox> outbox, std::shared_ptr<int> result)
{
    std::string batch;
    *result = (co_await outbox->take(batch)) ? 1 : 0;
}

boost::asio::awaitable<void> wait_for_none(std::shared_ptr<LiveSessions> live,
                                           std::shared_ptr<bool> done)
{
    co_await live->wait_until_none();
    *done = true;
}

/// A FrameReader on the server's end of a fresh connection, and the client's end.
struct Connection {
    explicit Connection(boost::asio::io_context& context) : client(context)
    {
        mini_redis::tcp::acceptor acceptor(
            context, mini_redis::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        client.connect(acceptor.local_endpoint());
        reader.emplace(acceptor.accept());
    }
    mini_redis::tcp::socket client;
    std::optional<mini_redis::FrameReader> reader;
};

/// Reads one frame; `outcome` becomes 0 for std::nullopt, 1 for a frame.
boost::asio::awaitable<void> read_one(mini_redis::FrameReader& reader, std::shared_ptr<int> outcome)
{
    *outcome = (co_await reader.read_frame()) ? 1 : 0;
}

/// Reads one frame or waits for a short timer, whichever ends first; `outcome` becomes the
/// index of the winner.
boost::asio::awaitable<void> read_or_time_out(mini_redis::FrameReader& reader,
                                              std::shared_ptr<int> outcome)
{
    using namespace boost::asio::experimental::awaitable_operators;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1ms);
    const auto first =
        co_await (reader.read_frame() || timer.async_wait(boost::asio::use_awaitable));
    *outcome = static_cast<int>(first.index());
}

}  // namespace

TEST_CASE("stop_reading() ends a read in progress: read_frame() returns nothing", "[ch08][ex08.6]")
{
    boost::asio::io_context context;
    Connection connection(context);
    auto outcome = std::make_shared<int>(-1);
    boost::asio::co_spawn(context, read_one(*connection.reader, outcome), boost::asio::detached);
    context.poll();
    REQUIRE(*outcome == -1);  // waiting for the client, who sends nothing
    connection.reader->stop_reading();
    context.run_for(hang_guard(5s));
    CHECK(*outcome == 0);
}

TEST_CASE("a read still serves frames, and the caller can still cancel it", "[ch08][ex08.6]")
{
    boost::asio::io_context context;
    Connection connection(context);
    const std::string ping = "*1\r\n$4\r\nPING\r\n";
    boost::asio::write(connection.client, boost::asio::buffer(ping));
    auto outcome = std::make_shared<int>(-1);
    boost::asio::co_spawn(context, read_one(*connection.reader, outcome), boost::asio::detached);
    context.run_for(hang_guard(5s));
    REQUIRE(*outcome == 1);

    // The caller's cancellation (the losing side of `||`) must reach the read, which is bound
    // to stop_reading_'s slot, or the `||` would wait for a client who sends nothing.
    context.restart();
    auto raced = std::make_shared<int>(-1);
    boost::asio::co_spawn(context, read_or_time_out(*connection.reader, raced),
                          boost::asio::detached);
    context.run_for(hang_guard(5s));
    CHECK(*raced == 1);
}

TEST_CASE("every listener hears each stage once, in order", "[ch08][ex08.2]")
{
    Shutdown shutdown;
    auto heard = std::make_shared<std::vector<Stage>>();
    auto other = std::make_shared<std::vector<Stage>>();
    auto first = shutdown.listen([heard](Stage stage) { heard->push_back(stage); });
    auto second = shutdown.listen([other](Stage stage) { other->push_back(stage); });
    CHECK(heard->empty());
    CHECK_FALSE(shutdown.requested());

    shutdown.request();
    shutdown.request();
    CHECK(shutdown.requested());
    CHECK(*heard == std::vector{Stage::requested});
    CHECK(*other == std::vector{Stage::requested});
    shutdown.force();
    shutdown.force();
    CHECK(*heard == std::vector{Stage::requested, Stage::forced});
    CHECK(*other == std::vector{Stage::requested, Stage::forced});
}

TEST_CASE("a request from many threads at once reaches each listener once", "[ch08][ex08.2]")
{
    for (int round = 0; round < 50; ++round) {
        Shutdown shutdown;
        auto calls = std::make_shared<std::atomic<int>>(0);
        auto listening = shutdown.listen([calls](Stage) { ++*calls; });
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back([shutdown]() mutable { shutdown.request(); });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        REQUIRE(calls->load() == 1);
    }
}

TEST_CASE("listeners are called without the lock: one may register another", "[ch08][ex08.2]")
{
    Shutdown shutdown;
    auto late = std::make_shared<std::vector<Stage>>();
    auto registrations = std::make_shared<std::vector<Shutdown::Registration>>();
    auto first = shutdown.listen([shutdown, late, registrations](Stage stage) mutable {
        if (stage == Stage::requested) {
            registrations->push_back(
                shutdown.listen([late](Stage heard) { late->push_back(heard); }));
        }
    });
    if (!finishes([shutdown]() mutable { shutdown.request(); })) {
        // The thread that called request() holds the lock for ever. Unregistering takes that
        // lock too: leave the registration behind, or this test would hang as well.
        [[maybe_unused]] auto* left_behind = new Shutdown::Registration(std::move(first));
        FAIL("request() never returned: is a listener called with the lock held?");
    }
    CHECK(*late == std::vector{Stage::requested});  // registered late: heard at once
}

TEST_CASE("a listener that registers late hears at once what was reached", "[ch08][ex08.3]")
{
    Shutdown shutdown;
    auto before = std::make_shared<std::vector<Stage>>();
    auto none = shutdown.listen([before](Stage stage) { before->push_back(stage); });
    CHECK(before->empty());  // nothing reached yet: nothing heard

    shutdown.request();
    auto after_request = std::make_shared<std::vector<Stage>>();
    auto one = shutdown.listen([after_request](Stage stage) { after_request->push_back(stage); });
    CHECK(*after_request == std::vector{Stage::requested});

    shutdown.force();
    CHECK(*after_request == std::vector{Stage::requested, Stage::forced});
    auto after_force = std::make_shared<std::vector<Stage>>();
    auto two = shutdown.listen([after_force](Stage stage) { after_force->push_back(stage); });
    CHECK(*after_force == std::vector{Stage::requested, Stage::forced});
}

TEST_CASE("a listener that registers late is called without the lock", "[ch08][ex08.3]")
{
    Shutdown shutdown;
    shutdown.request();
    auto saw_requested = std::make_shared<bool>(false);
    REQUIRE(finishes([shutdown, saw_requested]() mutable {
        // requested() takes the lock: it would deadlock if listen() held it.
        auto registration = shutdown.listen(
            [shutdown, saw_requested](Stage) { *saw_requested = shutdown.requested(); });
    }));
    CHECK(*saw_requested);
}

TEST_CASE("a listener is heard only while its registration lives", "[ch08][ex08.3]")
{
    Shutdown shutdown;
    auto calls = std::make_shared<int>(0);
    {
        auto gone = shutdown.listen([calls](Stage) { ++*calls; });
    }
    auto kept = std::make_shared<int>(0);
    auto registration = shutdown.listen([kept](Stage) { ++*kept; });
    shutdown.request();
    CHECK(*calls == 0);
    CHECK(*kept == 1);
}

TEST_CASE("an aborted outbox drops what is queued and ends the writer's wait", "[ch08][ex08.7]")
{
    boost::asio::io_context context;
    auto strand = boost::asio::make_strand(context);
    auto outbox = std::make_shared<Outbox>(strand, 1000);
    auto result = std::make_shared<int>(-1);
    // The writer waits for something to send; the abort must wake it, not leave it waiting.
    boost::asio::co_spawn(strand, take_once(outbox, result), boost::asio::detached);
    context.poll();
    REQUIRE(*result == -1);
    outbox->abort();
    context.run_for(hang_guard(5s));
    CHECK(*result == 0);
    CHECK(outbox->given_up());
    CHECK_FALSE(outbox->overflowed());
    CHECK_FALSE(outbox->deliver("x"));  // closed

    // Queued bytes are dropped, not sent: take() says "closed" at once.
    context.restart();
    auto full = std::make_shared<Outbox>(strand, 1000);
    REQUIRE(full->deliver("+a message\r\n"));
    full->abort();
    auto second = std::make_shared<int>(-1);
    boost::asio::co_spawn(strand, take_once(full, second), boost::asio::detached);
    context.run_for(hang_guard(5s));
    CHECK(*second == 0);
}

TEST_CASE("waiting until no session is live ends when the last one does", "[ch08][ex08.8]")
{
    boost::asio::io_context context;
    auto strand = boost::asio::make_strand(context);
    {
        auto live = std::make_shared<LiveSessions>(strand);
        auto done = std::make_shared<bool>(false);
        boost::asio::co_spawn(strand, wait_for_none(live, done), boost::asio::detached);
        context.run_for(hang_guard(5s));
        CHECK(*done);  // none live: returns at once
    }
    context.restart();
    auto live = std::make_shared<LiveSessions>(strand);
    live->add();
    live->add();
    auto done = std::make_shared<bool>(false);
    boost::asio::co_spawn(strand, wait_for_none(live, done), boost::asio::detached);
    context.poll();
    CHECK_FALSE(*done);
    live->remove();
    context.poll();
    CHECK_FALSE(*done);  // one is still live
    std::thread([live] { live->remove(); }).join();
    context.run_for(hang_guard(5s));
    CHECK(*done);
}

TEST_CASE("no wake-up is lost when the last session ends as the wait begins", "[ch08][ex08.8]")
{
    for (int round = 0; round < 200; ++round) {
        boost::asio::io_context context;
        auto strand = boost::asio::make_strand(context);
        auto live = std::make_shared<LiveSessions>(strand);
        live->add();
        auto done = std::make_shared<bool>(false);
        boost::asio::co_spawn(strand, wait_for_none(live, done), boost::asio::detached);
        std::thread remover([live] { live->remove(); });
        std::thread runner([&context] { context.run_for(hang_guard(5s)); });
        remover.join();
        runner.join();
        REQUIRE(*done);
    }
}
