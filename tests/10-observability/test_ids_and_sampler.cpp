// Chapter 10: trace and span ids, the sampler that decides from them, and the span record's
// event limit. No server and no sockets: ids, decisions and spans are plain values.
#include "telemetry/ids.hpp"
#include "telemetry/sampler.hpp"
#include "telemetry/span.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <thread>
#include <vector>

using mini_redis::telemetry::Event;
using mini_redis::telemetry::IdFormat;
using mini_redis::telemetry::new_span_id;
using mini_redis::telemetry::new_trace_id;
using mini_redis::telemetry::Sampler;
using mini_redis::telemetry::SpanData;
using mini_redis::telemetry::SpanId;
using mini_redis::telemetry::TraceId;

namespace {
namespace ids_test {  // a name of its own: a unity build puts this file next to others

/// Whether `text` is `length` lower-case hex digits.
bool lower_hex(const std::string& text, std::size_t length)
{
    return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// A trace id whose last 8 bytes, read big-endian, are `low` (the first 8 are 0xff, so a
/// sampler reading the wrong half would decide differently).
TraceId with_low_half(std::uint64_t low)
{
    TraceId id;
    for (std::size_t i = 0; i < 8; ++i) {
        id.bytes[i] = 0xff;
        id.bytes[15 - i] = static_cast<std::uint8_t>(low >> (8 * i));
    }
    return id;
}

/// A sampler of the given kind, not parent-based unless asked.
Sampler sampler(Sampler::Kind kind, double ratio = 1.0, bool parent_based = false)
{
    Sampler s;
    s.kind = kind;
    s.ratio = ratio;
    s.parent_based = parent_based;
    return s;
}

}  // namespace ids_test
}  // namespace

TEST_CASE("a trace id is written as 32 lower-case hex digits and a span id as 16", "[ch10]")
{
    TraceId trace;
    SpanId span;
    for (std::size_t i = 0; i < trace.bytes.size(); ++i) {
        trace.bytes[i] = static_cast<std::uint8_t>(0x11 * i);  // 0x00, 0x11, ... 0xff
    }
    for (std::size_t i = 0; i < span.bytes.size(); ++i) {
        span.bytes[i] = static_cast<std::uint8_t>(0x0a * i);
    }
    CHECK(trace.hex() == "00112233445566778899aabbccddeeff");
    CHECK(span.hex() == "000a141e28323c46");

    const auto drawn_trace = new_trace_id(IdFormat::random, std::chrono::system_clock::now());
    const auto drawn_span = new_span_id();
    INFO("trace id " << drawn_trace.hex() << ", span id " << drawn_span.hex());
    CHECK(ids_test::lower_hex(drawn_trace.hex(), 32));
    CHECK(ids_test::lower_hex(drawn_span.hex(), 16));
}

TEST_CASE("an id of all zero bytes is not valid and an id with any other byte is", "[ch10]")
{
    TraceId trace;
    SpanId span;
    CHECK_FALSE(trace.valid());
    CHECK_FALSE(span.valid());
    trace.bytes[15] = 1;
    span.bytes[0] = 0x80;
    CHECK(trace.valid());
    CHECK(span.valid());
}

TEST_CASE("new trace and span ids are never all zero, in either id format", "[ch10][ex10.1]")
{
    // At the epoch an X-Ray id's time bytes are zero, so only its random part keeps it valid.
    const std::chrono::system_clock::time_point epoch{};
    for (int i = 0; i < 10000; ++i) {
        REQUIRE(new_trace_id(IdFormat::random, epoch).valid());
        REQUIRE(new_trace_id(IdFormat::xray, epoch).valid());
        REQUIRE(new_span_id().valid());
    }
}

TEST_CASE("an X-Ray trace id begins with its start time's epoch seconds, big-endian",
          "[ch10][ex10.1]")
{
    // 0x5f0a1b2c seconds is 2020-07-11; the milliseconds must not leak into the seconds.
    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(0x5f0a1b2c)) +
                       std::chrono::milliseconds(999);
    const auto first = new_trace_id(IdFormat::xray, start);
    const auto second = new_trace_id(IdFormat::xray, start);
    INFO("ids " << first.hex() << " and " << second.hex());
    CHECK(first.hex().substr(0, 8) == "5f0a1b2c");
    CHECK(second.hex().substr(0, 8) == "5f0a1b2c");
    // The other 12 bytes are random: two ids of the same second still differ.
    CHECK(first.hex().substr(8) != second.hex().substr(8));

    // A random id ignores the time: ten of them do not all begin with it.
    int beginning_with_time = 0;
    for (int i = 0; i < 10; ++i) {
        beginning_with_time +=
            new_trace_id(IdFormat::random, start).hex().substr(0, 8) == "5f0a1b2c";
    }
    CHECK(beginning_with_time < 10);
}

TEST_CASE("10,000 new trace ids are all different, and so are 10,000 span ids", "[ch10][ex10.1]")
{
    std::set<std::string> traces;
    std::set<std::string> spans;
    const auto now = std::chrono::system_clock::now();
    for (int i = 0; i < 10000; ++i) {
        traces.insert(new_trace_id(IdFormat::random, now).hex());
        spans.insert(new_span_id().hex());
    }
    CHECK(traces.size() == 10000);
    CHECK(spans.size() == 10000);
}

TEST_CASE("ids drawn on different threads are all different", "[ch10][ex10.1]")
{
    // Each thread has a generator of its own; if they were seeded alike (a fixed seed, or the
    // time), the threads would draw the same sequence and this would find the repeats.
    constexpr int threads = 4;
    constexpr int per_thread = 2500;
    std::vector<std::vector<std::string>> drawn(threads);
    // What a thread threw (an unfinished exercise's stub), rethrown here: an exception that
    // leaves a thread ends the whole test program.
    std::vector<std::exception_ptr> failures(threads);
    {
        std::vector<std::jthread> workers;
        for (int t = 0; t < threads; ++t) {
            const auto index = static_cast<std::size_t>(t);
            workers.emplace_back([&ids = drawn[index], &failure = failures[index]] {
                try {
                    const auto now = std::chrono::system_clock::now();
                    for (int i = 0; i < per_thread; ++i) {
                        ids.push_back(new_trace_id(IdFormat::random, now).hex());
                        ids.push_back(new_span_id().hex());
                    }
                } catch (...) {
                    failure = std::current_exception();
                }
            });
        }
    }  // the jthreads join here
    for (const auto& failure : failures) {
        if (failure) {
            std::rethrow_exception(failure);
        }
    }
    std::set<std::string> all;
    for (const auto& ids : drawn) {
        all.insert(ids.begin(), ids.end());
    }
    CHECK(all.size() == static_cast<std::size_t>(threads * per_thread * 2));
}

TEST_CASE("always_on keeps every trace and always_off keeps none, parent-based or not",
          "[ch10][ex10.2]")
{
    const auto now = std::chrono::system_clock::now();
    for (bool parent_based : {false, true}) {
        const auto on = ids_test::sampler(Sampler::Kind::always_on, 1.0, parent_based);
        const auto off = ids_test::sampler(Sampler::Kind::always_off, 1.0, parent_based);
        for (int i = 0; i < 1000; ++i) {
            const auto id = new_trace_id(IdFormat::random, now);
            REQUIRE(on.should_sample(id));
            REQUIRE_FALSE(off.should_sample(id));
        }
    }
}

TEST_CASE("a ratio of 0 keeps no trace and a ratio of 1 keeps every trace, even at the extremes",
          "[ch10][ex10.2]")
{
    for (bool parent_based : {false, true}) {
        const auto never = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.0, parent_based);
        const auto always = ids_test::sampler(Sampler::Kind::trace_id_ratio, 1.0, parent_based);
        // The smallest and largest values of the deciding half: 0 is not below 0 * 2^64, and
        // 2^64 - 1 is below 1 * 2^64, which does not fit in 64 bits.
        for (std::uint64_t low : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}}) {
            INFO("last 8 bytes " << low << ", parent-based " << parent_based);
            CHECK_FALSE(never.should_sample(ids_test::with_low_half(low)));
            CHECK(always.should_sample(ids_test::with_low_half(low)));
        }
    }
}

TEST_CASE("a ratio sampler keeps an id when its last 8 bytes, big-endian, are below ratio * 2^64",
          "[ch10][ex10.2]")
{
    // 0.25 * 2^64 is 0x4000000000000000: the boundary is exact, so these rows also catch
    // reading the first half of the id or reading it little-endian.
    const auto quarter = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.25);
    CHECK(quarter.should_sample(ids_test::with_low_half(0)));
    CHECK(quarter.should_sample(ids_test::with_low_half(0x3fffffffffffffff)));
    CHECK_FALSE(quarter.should_sample(ids_test::with_low_half(0x4000000000000000)));
    // Big-endian, 0x40 is tiny and kept; read little-endian, its last byte would be the
    // highest and the value 0x4000000000000000, not kept.
    CHECK(quarter.should_sample(ids_test::with_low_half(0x40)));
    const auto half = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.5, true);
    CHECK(half.should_sample(ids_test::with_low_half(0x7fffffffffffffff)));
    CHECK_FALSE(half.should_sample(ids_test::with_low_half(0x8000000000000000)));
}

TEST_CASE("a ratio of 0.25 keeps a quarter of random trace ids", "[ch10][ex10.2]")
{
    // The kept count of N random ids is binomial: its share has standard deviation
    // sqrt(p(1-p)/N) = sqrt(0.1875 / 200000) = 0.00097. A tolerance of 0.01 is over ten
    // standard deviations, so a correct sampler fails this less than once in 10^23 runs,
    // while a sampler keeping a fifth or a third of the ids fails it every time.
    constexpr int n = 200000;
    constexpr double tolerance = 0.01;
    const auto quarter = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.25, true);
    const auto now = std::chrono::system_clock::now();
    int kept = 0;
    for (int i = 0; i < n; ++i) {
        kept += quarter.should_sample(new_trace_id(IdFormat::random, now));
    }
    const double share = static_cast<double>(kept) / n;
    INFO("kept " << kept << " of " << n << " ids, a share of " << share);
    CHECK(std::abs(share - 0.25) < tolerance);
}

TEST_CASE("a ratio sampler decides the same way every time it sees the same trace id",
          "[ch10][ex10.2]")
{
    // Two samplers stand for two processes that see the same trace: they must agree, or a
    // trace would arrive with some of its spans missing.
    const auto here = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.3, true);
    const auto there = ids_test::sampler(Sampler::Kind::trace_id_ratio, 0.3, true);
    const auto now = std::chrono::system_clock::now();
    int kept = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto id = new_trace_id(IdFormat::random, now);
        const bool decision = here.should_sample(id);
        REQUIRE(here.should_sample(id) == decision);
        REQUIRE(there.should_sample(id) == decision);
        kept += decision;
    }
    CHECK(kept > 0);  // both answers occurred, so agreement is not agreement on a constant
    CHECK(kept < 1000);
}

TEST_CASE("a sampler's name is the one OTEL_TRACES_SAMPLER gives it", "[ch10]")
{
    struct Row {
        Sampler::Kind kind;
        bool parent_based;
        const char* name;
    };
    const Row rows[] = {
        {Sampler::Kind::always_on, false, "always_on"},
        {Sampler::Kind::always_off, false, "always_off"},
        {Sampler::Kind::trace_id_ratio, false, "traceidratio"},
        {Sampler::Kind::always_on, true, "parentbased_always_on"},
        {Sampler::Kind::always_off, true, "parentbased_always_off"},
        {Sampler::Kind::trace_id_ratio, true, "parentbased_traceidratio"},
    };
    for (const auto& row : rows) {
        CHECK(ids_test::sampler(row.kind, 0.5, row.parent_based).name() == row.name);
    }
    CHECK(Sampler{}.name() == "parentbased_always_on");  // OpenTelemetry's default
}

TEST_CASE("a span keeps its first 128 events and only counts the ones after", "[ch10]")
{
    SpanData span;
    for (int i = 0; i < 200; ++i) {
        span.add_event(Event{"message " + std::to_string(i), static_cast<std::uint64_t>(i), {}});
    }
    REQUIRE(span.events.size() == SpanData::max_events);
    CHECK(span.events.front().name == "message 0");
    CHECK(span.events.back().name == "message 127");
    CHECK(span.dropped_events_count == 200 - 128);
}

TEST_CASE("now_unix_nano is the system clock's time in nanoseconds since the Unix epoch", "[ch10]")
{
    using std::chrono::duration_cast;
    using std::chrono::nanoseconds;
    using std::chrono::system_clock;
    const auto before = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
    const auto now = mini_redis::telemetry::now_unix_nano();
    const auto after = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
    CHECK(static_cast<std::uint64_t>(before) <= now);
    CHECK(now <= static_cast<std::uint64_t>(after));
}
