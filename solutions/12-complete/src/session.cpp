// A client's session as a reader and a writer: see session.hpp. Book: chapter 06, "Reader,
// writer and outbox", and "Subscriber mode"; chapter 08, "Telling everyone"; chapter 10,
// "Tracing the session"; chapter 11, "A watchdog without a coroutine".
#include "session.hpp"

#include "command.hpp"
#include "frame_reader.hpp"
#include "outbox.hpp"
#include "respond.hpp"
#include "subscriptions.hpp"
#include "telemetry/log_correlation.hpp"
#include "telemetry/tracer.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mini_redis {
namespace {

/// What a shutdown listener reaches of a session. Touched only on the session's strand.
struct ShutdownTarget {
    FrameReader* connection;  // null once the session has ended
    std::shared_ptr<Outbox> outbox;
};

/// A session's answer to a shutdown, run on its strand. Requested: read no more requests; the
/// reader then ends as if the client had closed, closes the outbox, and the writer sends what
/// is due before closing. Forced: drop what is unsent and cancel the write in progress.
void stop_for_shutdown(ShutdownTarget& target, Shutdown::Stage stage)
{
    if (target.connection == nullptr) {
        return;  // the session is over already
    }
    if (stage == Shutdown::Stage::requested) {
        target.connection->stop_reading();
    } else {
        target.outbox->abort();
    }
}

/// The text of a peer's address for log lines.
std::string address_and_port(const tcp::endpoint& peer)
{
    return peer.address().to_string() + ":" + std::to_string(peer.port());
}

/// What a session needs to trace its work (chapter 10); a session without a tracer has none.
/// Shared with the outbox's delivery observer, which publishers call on their threads:
/// `connection` is guarded by `mutex` for them; the rest is set before the session starts
/// reading and only read after.
struct SessionTrace {
    telemetry::Tracer* tracer = nullptr;
    std::vector<telemetry::Attribute> attributes;  // every span's (Tracer::connection_attributes)
    std::optional<telemetry::Link> link;           // to the connection's span, when it is recorded
    std::mutex mutex;
    std::optional<telemetry::SpanData> connection;
};

/// Begins tracing a session, unless `tracer` is null (then returns null, and the session costs
/// nothing more than without tracing): its connection's span and, while that is recorded, an
/// event on it for every message the client is sent (never a span per message: a subscriber
/// may get millions, and the span keeps the first SpanData::max_events and counts the rest).
std::shared_ptr<SessionTrace> trace_session(telemetry::Tracer* tracer, const tcp::socket& socket,
                                            Outbox& outbox)
{
    if (tracer == nullptr) {
        return nullptr;
    }
    auto trace = std::make_shared<SessionTrace>();
    trace->tracer = tracer;
    boost::system::error_code ignored;
    trace->attributes = telemetry::Tracer::connection_attributes(socket.remote_endpoint(ignored),
                                                                 socket.local_endpoint(ignored));
    trace->connection = tracer->start_connection(trace->attributes);
    if (trace->connection) {
        trace->link = telemetry::Link{trace->connection->trace_id, trace->connection->span_id};
        outbox.on_delivery([trace](std::size_t bytes) {
            std::lock_guard lock(trace->mutex);
            trace->connection->add_event(
                {"message delivered",
                 telemetry::now_unix_nano(),
                 {{"messaging.message.envelope.size", static_cast<std::int64_t>(bytes)}}});
        });
    }
    return trace;
}

/// Ends the connection's span, if it is recorded, as the session ends.
void end_session_trace(SessionTrace& trace)
{
    std::lock_guard lock(trace.mutex);
    if (trace.connection) {
        trace.tracer->end(std::move(*trace.connection));
        trace.connection.reset();
    }
}

/// Ends a command's span: marks it failed if the reply was an error, logs the command at debug
/// level with the span active (so the line carries its ids), and queues it for export.
void end_command_span(SessionTrace& trace, telemetry::SpanData span, const Responded& responded,
                      const std::string& peer)
{
    if (!responded.error.empty()) {
        telemetry::Tracer::set_error(span, responded.error);
    }
    {
        const telemetry::ActiveSpan active(&span);
        spdlog::debug("client {}: {}{}", peer, span.name,
                      responded.error.empty() ? "" : " -> " + responded.error);
    }
    trace.tracer->end(std::move(span));
}

/// What the reader tells the watchdog about the client. Both run on the session's strand, so
/// plain members are enough.
struct Activity {
    using Clock = std::chrono::steady_clock;
    /// Whether an idle timeout is set. Only then does the reader note when each request came,
    /// and the watchdog read it: a clock reading per request would otherwise be wasted.
    bool times_requests = false;
    Clock::time_point last_request = Clock::now();
    bool subscribed = false;
    /// Since when the reader has been waiting for the client to read its replies: paused for
    /// room in the outbox, or ended (the client closed its side) with replies still due.
    std::optional<Clock::time_point> stalled_since;
    /// The watchdog sleeps on it; the reader cuts the sleep short when a pause for room ends,
    /// and as it ends.
    asio::steady_timer wake;
};

/// What the watchdog looks at: the session's ShutdownTarget (its `connection` is null once the
/// session has ended, and then the watch ends too), the reader's Activity, and the limits.
/// Shared by the session and the watchdog's pending wait. Touched only on the session's strand.
struct Watch {
    std::shared_ptr<ShutdownTarget> target;
    Activity activity;
    SessionLimits limits;
    std::string peer;
};

/// Cuts the client off: the reader stops taking requests, even those already buffered, its
/// reads and writes are cancelled and the socket shut down. Reader and writer then end: the
/// writer's failed write closes the outbox, which wakes a reader paused for room, and the reader
/// finds that reading has stopped.
void cut_off(FrameReader& connection)
{
    connection.stop_reading();  // not one more request runs for a client we cut off
    boost::system::error_code ignored;
    connection.socket().cancel(ignored);
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

/// The watchdog: cuts the client off once it has gone quiet, meaning replies left unread for
/// `limits.drain_timeout`, or, if `limits.idle_timeout` is not zero, no request for that long
/// while not subscribed. It looks at least once per drain_timeout, so a stalled client is cut
/// off within two of them. No coroutine (chapter 11, "A watchdog without a coroutine"): a timer
/// whose handler looks at the client and sets the timer again, until the session has ended.
/// The reader wakes it (Activity::wake) when what it should time changes.
void watch_for_silence(const std::shared_ptr<Watch>& watch)
{
    FrameReader* const connection = watch->target->connection;
    if (connection == nullptr) {
        return;  // reader and writer are done: the session is ending anyway
    }
    Activity& activity = watch->activity;
    const SessionLimits& limits = watch->limits;
    // A handler must not throw: the exception would leave io_context::run and stop the server.
    // A failure here is logged, and the client cut off rather than left unwatched.
    try {
        const auto now = Activity::Clock::now();
        auto deadline = now + limits.drain_timeout;
        if (activity.stalled_since) {
            deadline = *activity.stalled_since + limits.drain_timeout;
            if (now >= deadline) {
                spdlog::info("client {} left its replies unread for {} ms; disconnected",
                             watch->peer, limits.drain_timeout.count());
                cut_off(*connection);
                return;
            }
        } else if (activity.times_requests && !activity.subscribed) {
            const auto idle_deadline = activity.last_request + limits.idle_timeout;
            if (now >= idle_deadline) {
                spdlog::info("client {} sent nothing for {} ms; disconnected", watch->peer,
                             limits.idle_timeout.count());
                cut_off(*connection);
                return;
            }
            deadline = std::min(deadline, idle_deadline);
        }
        activity.wake.expires_at(deadline);
        // On the strand: the timer was made with it. Woken early (cancelled) or on time, the
        // handler looks again.
        activity.wake.async_wait([watch](boost::system::error_code) { watch_for_silence(watch); });
    } catch (const std::exception& e) {
        spdlog::error("client {}: the watchdog failed: {}; disconnected", watch->peer, e.what());
        cut_off(*connection);
    }
}

/// The reader's pause while a client's replies pile up (Outbox::wait_for_room), shown to the
/// watchdog: stalled_since is set for as long as it lasts. Writing to the client counts as
/// activity afterwards, as in Redis, so a long request does not look idle. When the pause ends,
/// the watchdog is woken: it may have gone to sleep towards the stall's deadline (the drain
/// timeout, which can be an hour), and must now watch the idle timeout again.
asio::awaitable<void> wait_until_read(Outbox& outbox, Activity& activity)
{
    activity.stalled_since = Activity::Clock::now();
    co_await outbox.wait_for_room();
    activity.stalled_since.reset();
    activity.last_request = Activity::Clock::now();
    activity.wake.cancel();  // the watchdog may sleep towards the stall's deadline: look again
}

/// The reader: requests in, replies into the outbox. Ends when the client closes the connection,
/// sends QUIT, sends something that is not RESP, the writer shut the socket down, or anything
/// else fails; then it closes the outbox so the writer can finish.
asio::awaitable<void> read_requests(FrameReader& connection, std::shared_ptr<Outbox> outbox, Db db,
                                    Activity& activity, std::string peer, SessionTrace* trace)
{
    Subscriptions subscriptions(db, outbox);
    // A client that sends faster than it reads pauses here, until the writer has sent most of
    // what is queued: its replies never pile up without bound.
    const Subscriptions::Pause wait_for_room = [&] { return wait_until_read(*outbox, activity); };
    try {
        for (;;) {
            // A request the last read brought whole is taken at once; only when none is left
            // does the reader wait, in a coroutine, for the client.
            auto request = connection.buffered_frame();
            if (!request) {
                request = co_await connection.read_frame();
                if (!request) {
                    break;
                }
            }
            if (activity.times_requests) {
                activity.last_request = Activity::Clock::now();
            }
            auto command = parse_command(std::move(*request));
            std::optional<telemetry::SpanData> span =
                trace == nullptr ? std::nullopt
                                 : trace->tracer->start_command(command_name(command),
                                                                trace->attributes, trace->link);
            // Most commands never wait: respond_at_once runs them without a coroutine.
            auto responded = respond_at_once(command, db, subscriptions, *outbox);
            if (!responded) {
                // In a variable, not a temporary inside the co_await: GCC 12 may destroy such a
                // temporary twice when an exception is caught in the same coroutine.
                auto responding =
                    respond(std::move(command), db, subscriptions, *outbox, wait_for_room);
                responded = co_await std::move(responding);
            }
            if (span) {
                end_command_span(*trace, std::move(*span), *responded, peer);
            }
            activity.subscribed = subscriptions.active();
            if (!responded->go_on) {
                break;  // QUIT
            }
            // Almost always there is room: then asking is enough, and the pause's coroutine
            // (and the two clock readings it takes for the watchdog) is never started.
            if (!outbox->has_room()) {
                co_await wait_for_room();
            }
        }
        spdlog::debug("client {} closed the connection", peer);
    } catch (const BufferLimitExceeded& e) {
        // Redis closes such a client without a reply; so do we.
        spdlog::warn("client {}: {}; disconnected", peer, e.what());
    } catch (const ProtocolError& e) {
        // Replies to the requests before the bad one are queued already; this one follows.
        spdlog::info("client {}: protocol error: {}", peer, e.what());
        outbox->queue(Frame::error(std::string("ERR Protocol error: ") + e.what()));
    } catch (const boost::system::system_error& e) {
        // A clean close between frames ends the loop above; end of stream here means the client
        // left in the middle of a frame (or the writer shut the socket down).
        spdlog::info("client {}: {}", peer,
                     e.code() == asio::error::eof ? "closed the connection in the middle of a frame"
                                                  : e.code().message());
    } catch (const std::exception& e) {
        // Anything else (std::bad_alloc, a bug) ends this session alone; the server serves on.
        spdlog::error("client {}: {}; disconnected", peer, e.what());
    }
    outbox->close();                                  // the writer sends what is queued, then ends
    activity.stalled_since = Activity::Clock::now();  // only the last replies are due now
    activity.wake.cancel();                           // so the watchdog starts timing them
}

/// A lingering close, after the last reply: shut down only our sending side (the client sees
/// the end of the stream after its last reply), then read and throw away whatever the client
/// still sends until it closes its side too. Closing at once instead, with its requests unread
/// in the kernel's buffer, would make the kernel reset the connection and drop replies not yet
/// delivered. Bounded: the watchdog cuts the connection off after the drain timeout, and an
/// abort (a forced shutdown) cancels the read through the outbox's write cancellation.
asio::awaitable<void> linger(FrameReader& connection, Outbox& outbox)
{
    boost::system::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> discarded;
    for (;;) {
        auto [error, n] = co_await connection.socket().async_read_some(
            asio::buffer(discarded),
            asio::bind_cancellation_slot(outbox.write_cancellation(), use_tuple));
        if (error) {
            co_return;  // the end of the stream: the client closed too (or we were cut off)
        }
    }
}

/// The writer: empties the outbox onto the socket, one write per batch. Ends when the outbox is
/// closed and empty (then, unless the outbox gave up on the client, with a lingering close), or
/// a write fails; either way it shuts the socket down, which ends any read still pending.
asio::awaitable<void> write_replies(FrameReader& connection, Outbox& outbox, std::string peer)
{
    std::string batch;
    bool failed = false;
    // take() suspends until something is queued, by our reader or by any publisher.
    while (co_await outbox.take(batch)) {
        // Bound to the outbox's cancellation slot: an overflow cancels the write (see
        // Outbox::write_cancellation).
        auto [error, written] = co_await asio::async_write(
            connection.socket(), asio::buffer(batch),
            asio::bind_cancellation_slot(outbox.write_cancellation(), use_tuple));
        if (error) {
            spdlog::info("client {}: {}", peer, error.message());
            outbox.close();
            failed = true;
            break;
        }
    }
    if (outbox.overflowed()) {
        spdlog::warn("client {} read its subscriptions' messages too slowly; disconnected", peer);
    }
    if (!failed && !outbox.given_up()) {
        // Caught here: a failed lingering close ends this writer, not the session with an
        // error. (In a variable, not a temporary inside the co_await: GCC 12 may destroy such
        // a temporary twice when an exception is caught in the same coroutine.)
        try {
            auto lingering = linger(connection, outbox);
            co_await std::move(lingering);
        } catch (const std::exception& e) {
            spdlog::error("client {}: {}; disconnected", peer, e.what());
        }
    }
    boost::system::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

void enable_keepalive(tcp::socket& socket, unsigned seconds)
{
    if (seconds == 0) {
        return;
    }
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    const int idle = static_cast<int>(std::min(seconds, 32767U));  // the kernel's maximum
    const int interval = std::max(1, idle / 3);
    const int count = 3;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

asio::awaitable<void> session(tcp::socket socket, Db db, [[maybe_unused]] ClientSlot slot,
                              SessionLimits limits, Shutdown shutdown, telemetry::Tracer* tracer)
{
    boost::system::error_code ignored;
    const std::string peer = address_and_port(socket.remote_endpoint(ignored));
    // Replies go out as soon as they are written, as Redis does: without this, Nagle's
    // algorithm may hold a small write back until the client acknowledges the previous one,
    // which a client delaying its acknowledgements makes a wait of up to 40 ms. The writer
    // already sends a whole batch per write, so there is nothing to gain from Nagle's merging.
    socket.set_option(tcp::no_delay(true), ignored);
    ParserLimits parser_limits;
    parser_limits.max_bulk_length = limits.max_bulk_length;
    FrameReader connection(std::move(socket), parser_limits, Syntax::requests,
                           limits.query_buffer_limit);
    const auto strand = co_await asio::this_coro::executor;
    // The outbox lives as long as anyone holds it: this session, and the channels it subscribed
    // to until the reader's Subscriptions leaves them.
    auto outbox = std::make_shared<Outbox>(strand, limits.message_limit);
    const auto trace = trace_session(tracer, connection.socket(), *outbox);

    // What a shutdown and the watchdog may touch of this session, and only on its strand. A
    // listener call or a watchdog's wake-up can arrive late, after the session ended:
    // `connection` is null by then (see Forget below).
    auto target = std::make_shared<ShutdownTarget>(ShutdownTarget{&connection, outbox});
    const auto watch =
        std::make_shared<Watch>(Watch{target,
                                      Activity{.times_requests = limits.idle_timeout.count() > 0,
                                               .wake = asio::steady_timer(strand)},
                                      limits, peer});
    struct Forget {
        Watch& watch;
        ~Forget()  // runs on the strand as the session ends
        {
            watch.target->connection = nullptr;
            watch.activity.wake.cancel();  // the watchdog's handler runs, and sees it is over
        }
    } forget{*watch};
    auto listening = shutdown.listen([strand, target](Shutdown::Stage stage) {
        // Called on whichever thread requested the shutdown: hop onto our strand first.
        asio::post(strand, [target, stage] { stop_for_shutdown(*target, stage); });
    });

    // Run reader and writer side by side on this session's strand, and return when both have
    // ended. (`a && b` starts both awaitables and waits for both; if one throws, the other is
    // cancelled.) The watchdog watches them from its timer meanwhile; if it cuts the client
    // off (cut_off), reader and writer end on their own.
    watch_for_silence(watch);
    using namespace asio::experimental::awaitable_operators;
    co_await (read_requests(connection, outbox, db, watch->activity, peer, trace.get()) &&
              write_replies(connection, *outbox, peer));
    if (trace) {
        end_session_trace(*trace);
    }
}

}  // namespace mini_redis
