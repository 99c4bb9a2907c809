// Chapter 06 without sockets: Db::publish fanning out to recipients (06.1), the push PUBLISH
// encodes, the order of a confirmation and the messages after it, and the Outbox's bound on
// undelivered messages (06.7) and the memory it keeps.
#include "db.hpp"
#include "frame.hpp"
#include "outbox.hpp"
#include "subscriptions.hpp"

#include "mini_redis/testing/heap.hpp"
#include "mini_redis/testing/stub_watch.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using mini_redis::Db;
using mini_redis::Outbox;
using mini_redis::testing::heap_in_use;

namespace {

/// A recipient that keeps what it receives, and can be told to refuse.
struct Recorder : mini_redis::Recipient {
    std::vector<std::string> received;
    bool refuse = false;
    bool deliver(std::string_view push) override
    {
        if (refuse) {
            return false;
        }
        received.emplace_back(push);
        return true;
    }
};

const std::string hello_world = "*3\r\n$7\r\nmessage\r\n$5\r\nhello\r\n$5\r\nworld\r\n";

}  // namespace

TEST_CASE("a published message is encoded as the push a subscriber receives", "[ch06]")
{
    CHECK(mini_redis::message_push("hello", "world") == hello_world);
    CHECK(mini_redis::message_push("", "") == "*3\r\n$7\r\nmessage\r\n$0\r\n\r\n$0\r\n\r\n");
}

TEST_CASE("publishing to a channel nobody listens to reaches nobody", "[ch06][ex06.1]")
{
    Db db;
    CHECK(db.publish("hello", "world") == 0);
    CHECK(db.channel_count() == 0);  // and leaves no empty channel behind
}

TEST_CASE("every recipient of a channel receives the message, others do not", "[ch06][ex06.1]")
{
    Db db;
    auto a = std::make_shared<Recorder>();
    auto b = std::make_shared<Recorder>();
    auto elsewhere = std::make_shared<Recorder>();
    db.subscribe("hello", a);
    db.subscribe("hello", b);
    db.subscribe("other", elsewhere);
    CHECK(db.publish("hello", hello_world) == 2);
    CHECK(a->received == std::vector{hello_world});
    CHECK(b->received == std::vector{hello_world});
    CHECK(elsewhere->received.empty());
}

TEST_CASE("a recipient that refuses a message is not counted", "[ch06][ex06.1]")
{
    Db db;
    auto taker = std::make_shared<Recorder>();
    auto refuser = std::make_shared<Recorder>();
    refuser->refuse = true;
    db.subscribe("hello", taker);
    db.subscribe("hello", refuser);
    CHECK(db.publish("hello", "world") == 1);
}

TEST_CASE("messages arrive in the order they were published", "[ch06][ex06.1]")
{
    Db db;
    auto subscriber = std::make_shared<Recorder>();
    db.subscribe("seq", subscriber);
    for (int i = 0; i < 100; ++i) {
        db.publish("seq", std::to_string(i));
    }
    REQUIRE(subscriber->received.size() == 100);
    for (int i = 0; i < 100; ++i) {
        CHECK(subscriber->received[i] == std::to_string(i));
    }
}

TEST_CASE(
    "a subscribe confirmation comes before every message on its channel, whatever the "
    "publishers on other threads do",
    "[ch06][ex06.12]")
{
    // Subscriptions::subscribe confirms a channel before it registers with the Db. The other way
    // round, a PUBLISH on another thread can land between the two, and its message would reach
    // the client before the confirmation: a client library waiting for the confirmation would
    // take it for a protocol error. A publisher publishes on "news" while a connection
    // subscribes, again and again; the first bytes each time must be the confirmation. Correct
    // code passes however the threads interleave; wrong code fails as soon as one message lands
    // in the gap. The publisher publishes without a pause for as long as the round lasts (to a
    // channel nobody is on yet, that costs little), so that it is publishing whenever the other
    // thread runs; once its messages reach someone, it stops at `per_round`, so that the outbox
    // can never fill up (it would close and drop everything), however long this thread is kept
    // off the CPU.
    constexpr int per_round = 100;
    Db db;
    std::atomic<bool> publishing = false;  // during a round
    std::atomic<int> attempts = 0;         // publishes this round, delivered or not
    std::atomic<int> delivered = 0;        // publishes this round that reached the subscriber
    std::atomic<bool> done = false;
    std::string publisher_failed;  // what a publish threw (an unfinished exercise, say)
    std::thread publisher([&] {
        const std::string push = mini_redis::message_push("news", "flash");
        while (!done) {
            if (publishing && delivered < per_round) {
                ++attempts;
                try {
                    if (publisher_failed.empty() && db.publish("news", push) > 0) {
                        ++delivered;
                    }
                } catch (const std::exception& e) {
                    publisher_failed = e.what();
                }
            } else {
                std::this_thread::yield();
            }
        }
    });
    // Stops the publisher however the test ends: with an unfinished exercise, the coroutine's
    // exception leaves context.run(), and a thread destroyed unjoined would end the whole run.
    struct Stop {
        std::atomic<bool>& done;
        std::thread& publisher;
        void now()
        {
            done = true;
            if (publisher.joinable()) {
                publisher.join();
            }
        }
        ~Stop() { now(); }
    } stop{done, publisher};
    const std::string confirmation = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    const std::vector<std::string> news{"news"};
    const mini_redis::Subscriptions::Pause no_pause = []() -> boost::asio::awaitable<void> {
        co_return;
    };
    boost::asio::io_context context;
    int out_of_order = 0;
    for (int round = 0; round < 1000; ++round) {
        auto strand = boost::asio::make_strand(context);
        // Room for every message of the round and more: never overflows.
        auto outbox = std::make_shared<Outbox>(strand, 64 * per_round * 2);
        mini_redis::Subscriptions subscriptions(db, outbox);
        std::string first;
        boost::asio::co_spawn(
            strand,
            [&]() -> boost::asio::awaitable<void> {
                attempts = 0;
                delivered = 0;
                publishing = true;
                while (attempts == 0) {
                    std::this_thread::yield();  // until the publisher is publishing
                }
                co_await subscriptions.subscribe(news, no_pause);
                co_await outbox->take(first);
            },
            boost::asio::detached);
        context.run();
        context.restart();
        publishing = false;
        if (!first.starts_with(confirmation)) {
            ++out_of_order;
        }
    }  // each round's Subscriptions leaves "news" as it goes
    stop.now();
    CHECK(publisher_failed.empty());
    CHECK(out_of_order == 0);
}

TEST_CASE("a channel whose last subscriber leaves is removed", "[ch06][ex06.2]")
{
    Db db;
    auto subscriber = std::make_shared<Recorder>();
    db.subscribe("gone", subscriber);
    CHECK(db.channel_count() == 1);
    db.unsubscribe("gone", subscriber.get());
    CHECK(db.channel_count() == 0);
}

TEST_CASE("the channel table gives its memory back once 100,000 channels are gone",
          "[ch06][ex06.2]")
{
    // A hash table keeps its buckets when its entries go. The Db shrinks its channel table once
    // most channels are gone, or a client that once held 100,000 channels would leave
    // their buckets (about a megabyte) behind for good.
    constexpr int channels = 100'000;
    auto subscriber = std::make_shared<Recorder>();
    std::vector<std::string> names;
    for (int i = 0; i < channels; ++i) {
        names.push_back("c" + std::to_string(i));
    }
    Db db;
    const auto before = static_cast<long long>(heap_in_use());
    db.expect_channels(channels);
    for (const auto& name : names) {
        db.subscribe(name, subscriber);
    }
    const long long held = static_cast<long long>(heap_in_use()) - before;
    for (const auto& name : names) {
        db.unsubscribe(name, subscriber.get());
    }
    CHECK(db.channel_count() == 0);
    const long long kept = static_cast<long long>(heap_in_use()) - before;
    INFO("100,000 channels held " << held << " bytes; after they left, " << kept);
    CHECK(kept < 64 * 1024);
}

TEST_CASE("an outbox takes messages up to its limit, then closes for good", "[ch06][ex06.7]")
{
    boost::asio::io_context context;
    auto outbox = std::make_shared<Outbox>(boost::asio::make_strand(context), 100);
    const std::string forty(40, 'x');
    CHECK(outbox->deliver(forty));
    CHECK(outbox->deliver(forty));
    CHECK_FALSE(outbox->overflowed());
    CHECK_FALSE(outbox->deliver(forty));  // 120 bytes would pass the limit of 100
    CHECK(outbox->overflowed());
    CHECK_FALSE(outbox->deliver("x"));  // closed: even a small one is refused now
}

TEST_CASE("a closed outbox refuses messages without counting as overflowed", "[ch06][ex06.7]")
{
    boost::asio::io_context context;
    auto outbox = std::make_shared<Outbox>(boost::asio::make_strand(context), 100);
    outbox->close();
    CHECK_FALSE(outbox->deliver("x"));
    CHECK_FALSE(outbox->overflowed());
}

TEST_CASE("an outbox counts the batch being written against its limit", "[ch06][ex06.7]")
{
    // A subscriber that reads nothing holds the batch its writer took as well as what waits
    // behind it: the limit covers both, or it could hold twice the limit.
    boost::asio::io_context context;
    auto strand = boost::asio::make_strand(context);
    auto outbox = std::make_shared<Outbox>(strand, 100);
    const std::string sixty(60, 'x');
    bool second_accepted = true;
    boost::asio::co_spawn(
        strand,
        [&]() -> boost::asio::awaitable<void> {
            std::string batch;
            outbox->deliver(sixty);
            co_await outbox->take(batch);  // the writer is now writing these 60 bytes
            second_accepted = outbox->deliver(sixty);
        },
        boost::asio::detached);
    context.run();
    CHECK_FALSE(second_accepted);  // 60 being written + 60 would pass the limit of 100
    CHECK(outbox->overflowed());
}

TEST_CASE("an outbox gives back the buffer of a large batch once it is written", "[ch06]")
{
    // After one 4 MiB reply, an idle connection should not keep 4 MiB. take() is the writer
    // saying the last batch is written; the buffers it hands out after that must be small.
    boost::asio::io_context context;
    auto strand = boost::asio::make_strand(context);
    auto outbox = std::make_shared<Outbox>(strand, 64 * 1024 * 1024);
    std::vector<std::size_t> capacities;
    boost::asio::co_spawn(
        strand,
        [&]() -> boost::asio::awaitable<void> {
            std::string batch;
            outbox->deliver(std::string(4 * 1024 * 1024, 'x'));
            co_await outbox->take(batch);  // the large batch, written...
            for (int i = 0; i < 3; ++i) {
                outbox->deliver("small");
                co_await outbox->take(batch);  // ...then small ones
                capacities.push_back(batch.capacity());
            }
        },
        boost::asio::detached);
    context.run();
    REQUIRE(capacities.size() == 3);
    for (const auto capacity : capacities) {
        CHECK(capacity <= Outbox::kept_buffer);
    }
}

TEST_CASE("an outbox takes a message that reaches its limit exactly, not one byte more",
          "[ch06][ex06.7]")
{
    boost::asio::io_context context;
    auto outbox = std::make_shared<Outbox>(boost::asio::make_strand(context), 100);
    CHECK(outbox->deliver(std::string(60, 'x')));
    CHECK(outbox->deliver(std::string(40, 'x')));  // 100 bytes: exactly the limit
    CHECK_FALSE(outbox->overflowed());
    CHECK_FALSE(outbox->deliver("x"));  // 101
    CHECK(outbox->overflowed());
}

namespace {

/// Runs `context` until `done` is set, for 10 s at most: a guard against a lost wake-up, never
/// a verdict on speed. Gives up at once if a stub has thrown (in a coroutine spawned detached,
/// which would otherwise end silently).
bool run_until(boost::asio::io_context& context, const bool& done)
{
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && !mini_redis::testing::stub_reached() &&
           std::chrono::steady_clock::now() < give_up) {
        context.run_for(std::chrono::milliseconds(50));
    }
    return done;
}

/// Calls `touch` on another thread and says whether it returned within 10 s. If it did not (a
/// lock held across a wait blocks it for ever), the context is leaked on purpose: destroying
/// the coroutine that holds the lock would let the blocked thread run into a dead strand.
bool on_another_thread(boost::asio::io_context*& context, std::function<void()> touch)
{
    auto finished = std::make_shared<std::promise<void>>();
    auto future = finished->get_future();
    std::thread([touch = std::move(touch), finished]() mutable {
        // Let go of what `touch` holds (an outbox, whose timers belong to the context) before
        // saying so: the test may destroy the context as soon as it knows.
        try {
            touch();
            touch = nullptr;
            finished->set_value();
        } catch (...) {
            touch = nullptr;
            finished->set_exception(std::current_exception());  // an unfinished exercise, say
        }
    }).detach();
    if (future.wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
        future.get();  // throws what `touch` threw
        return true;
    }
    context = nullptr;  // leaked: see above
    return false;
}

/// A writer (take()) asleep on an empty outbox, in a context owned by the test.
struct SleepingWriter {
    boost::asio::io_context* context = new boost::asio::io_context;
    std::shared_ptr<Outbox> outbox;
    std::string batch;
    bool taken = false;
    bool result = false;

    SleepingWriter()
    {
        auto strand = boost::asio::make_strand(*context);
        outbox = std::make_shared<Outbox>(strand, 1000);
        boost::asio::co_spawn(
            strand,
            [this]() -> boost::asio::awaitable<void> {
                result = co_await outbox->take(batch);
                taken = true;
            },
            boost::asio::detached);
        context->poll();  // runs it until it sleeps
    }
    ~SleepingWriter()
    {
        if (context) {
            outbox.reset();
            delete context;
        }
    }
};

}  // namespace

TEST_CASE("a writer asleep in take() holds no lock: another thread can queue meanwhile",
          "[ch06][ex06.4]")
{
    SleepingWriter writer;
    auto outbox = writer.outbox;
    REQUIRE(on_another_thread(writer.context, [outbox] { outbox->deliver("hello"); }));
    CHECK(run_until(*writer.context, writer.taken));
    CHECK(writer.batch == "hello");
}

TEST_CASE("a delivery from another thread wakes a writer asleep in take()", "[ch06][ex06.8]")
{
    SleepingWriter writer;
    auto outbox = writer.outbox;
    std::async(std::launch::async, [outbox] { outbox->deliver("hello"); }).get();
    CHECK(run_until(*writer.context, writer.taken));
    CHECK(writer.result);
    CHECK(writer.batch == "hello");
}

TEST_CASE("an overflow wakes the writer, which finds the outbox closed", "[ch06][ex06.8]")
{
    SleepingWriter writer;
    auto outbox = writer.outbox;
    std::async(std::launch::async, [outbox] {
        outbox->deliver(std::string(2000, 'x'));
    }).get();  // past 1000
    CHECK(run_until(*writer.context, writer.taken));
    CHECK_FALSE(writer.result);
}

TEST_CASE("closing an outbox wakes its writer, which then ends", "[ch06][ex06.5]")
{
    SleepingWriter writer;
    writer.outbox->close();
    CHECK(run_until(*writer.context, writer.taken));
    CHECK_FALSE(writer.result);
    CHECK_FALSE(writer.outbox->deliver("late"));
}

namespace {

/// A reader waiting for room (wait_for_room()) behind `backlog` bytes queued, if it must wait.
struct WaitingReader {
    boost::asio::io_context context;
    boost::asio::strand<boost::asio::io_context::executor_type> strand =
        boost::asio::make_strand(context);
    std::shared_ptr<Outbox> outbox = std::make_shared<Outbox>(strand, 64 * 1024 * 1024);
    bool room = false;

    explicit WaitingReader(std::size_t backlog)
    {
        outbox->deliver(std::string(backlog, 'r'));
        boost::asio::co_spawn(
            strand,
            [this]() -> boost::asio::awaitable<void> {
                co_await outbox->wait_for_room();
                room = true;
            },
            boost::asio::detached);
        context.poll();
    }
};

}  // namespace

TEST_CASE("a reader waiting for room holds no lock: another thread can deliver meanwhile",
          "[ch06][ex06.10]")
{
    // Declared first among 06.10's tests: a reader that sleeps with the lock held deadlocks the
    // next ones, whose wake-ups run on the reader's own thread.
    auto* context = new boost::asio::io_context;
    // The strand is destroyed before the context (it refers to the context's strand service);
    // the outbox and the coroutine keep their own copies until they are done.
    std::optional strand(boost::asio::make_strand(*context));
    auto outbox = std::make_shared<Outbox>(*strand, 64 * 1024 * 1024);
    outbox->deliver(std::string(Outbox::reply_backlog + 1, 'r'));
    bool room = false;
    boost::asio::co_spawn(
        *strand,
        [&]() -> boost::asio::awaitable<void> {
            co_await outbox->wait_for_room();
            room = true;
        },
        boost::asio::detached);
    strand.reset();
    context->poll();
    REQUIRE_FALSE(room);
    // If this fails, the context is leaked on purpose (see on_another_thread).
    REQUIRE(on_another_thread(context, [outbox] { outbox->deliver("hello"); }));
    outbox->close();
    CHECK(run_until(*context, room));
    outbox.reset();
    delete context;
}

TEST_CASE("a reader waits for room past the reply backlog, not at it", "[ch06][ex06.10]")
{
    WaitingReader at_limit(Outbox::reply_backlog);
    CHECK(at_limit.room);
    WaitingReader past_limit(Outbox::reply_backlog + 1);
    CHECK_FALSE(past_limit.room);
    past_limit.outbox->close();
    past_limit.context.run();
}

namespace {

/// A reader waits for room behind a backlog; a writer takes it, "writes" it, and asks for more:
/// that must wake the reader.
void writer_makes_room_for_reader()
{
    WaitingReader reader(Outbox::reply_backlog + 1);
    REQUIRE_FALSE(reader.room);
    int batches = 0;
    boost::asio::co_spawn(
        reader.strand,
        [&]() -> boost::asio::awaitable<void> {
            std::string batch;
            while (co_await reader.outbox->take(batch)) {
                ++batches;  // "written": the next take() says so, and makes room
            }
        },
        boost::asio::detached);
    CHECK(run_until(reader.context, reader.room));
    reader.outbox->close();
    reader.context.run();
    CHECK(batches == 1);
}

}  // namespace

TEST_CASE("a reader waiting for room wakes once the writer has written the backlog",
          "[ch06][ex06.10]")
{
    writer_makes_room_for_reader();
}

TEST_CASE("take() wakes a reader waiting for room once the last batch is written", "[ch06][ex06.4]")
{
    writer_makes_room_for_reader();
}

TEST_CASE("closing an outbox wakes a reader waiting for room", "[ch06][ex06.5]")
{
    WaitingReader reader(Outbox::reply_backlog + 1);
    REQUIRE_FALSE(reader.room);
    reader.outbox->close();
    CHECK(run_until(reader.context, reader.room));
}

TEST_CASE("unsubscribing takes the channels out of the Db, named ones and then all",
          "[ch06][ex06.13]")
{
    Db db;
    boost::asio::io_context context;
    auto strand = boost::asio::make_strand(context);
    auto outbox = std::make_shared<Outbox>(strand, 1024 * 1024);
    const mini_redis::Subscriptions::Pause no_pause = []() -> boost::asio::awaitable<void> {
        co_return;
    };
    // Named, not braced lists in the co_await: GCC 12 mishandles such temporaries in coroutines.
    const std::vector<std::string> three{"a", "b", "c"}, one_and_unknown{"a", "zz"}, all{};
    std::size_t after_one = 99, after_all = 99, a_receivers = 99, b_receivers = 99;
    {
        mini_redis::Subscriptions subscriptions(db, outbox);
        boost::asio::co_spawn(
            strand,
            [&]() -> boost::asio::awaitable<void> {
                co_await subscriptions.subscribe(three, no_pause);
                co_await subscriptions.unsubscribe(one_and_unknown, no_pause);
                after_one = db.channel_count();
                a_receivers = db.publish("a", "x");
                b_receivers = db.publish("b", "x");
                co_await subscriptions.unsubscribe(all, no_pause);
                after_all = db.channel_count();
            },
            boost::asio::detached);
        context.run();
    }
    CHECK(after_one == 2);
    CHECK(a_receivers == 0);
    CHECK(b_receivers == 1);
    CHECK(after_all == 0);
}
