// The in-process OTLP/HTTP collector of chapter 10's tests: see otlp_collector.hpp.
//
// A small Beast server: one thread runs an io_context, on which an accept loop spawns one
// coroutine per connection; each reads requests one after another on its kept-alive connection,
// records them, and answers as the test said (OtlpCollector::answer). The test's thread only
// reads what was recorded, under a mutex, and waits for it on a condition variable, which the
// collector's thread notifies whenever a request arrives or spans are accepted.
#include "mini_redis/testing/otlp_collector.hpp"

#include "mini_redis/testing/hang_guard.hpp"
#include "mini_redis/testing/stub_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace mini_redis::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool equal_ignoring_case(const std::string& a, const std::string& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
        return std::tolower(x) == std::tolower(y);
    });
}

// The span objects of an OTLP/JSON ExportTraceServiceRequest, in order; none if the body is not
// one (the test then sees no spans, and its wait fails with the requests in the message).
std::vector<json::object> spans_of(const json::value& request)
{
    std::vector<json::object> spans;
    const auto* root = request.if_object();
    const auto* resource_spans = root ? root->if_contains("resourceSpans") : nullptr;
    if (!resource_spans || !resource_spans->is_array()) {
        return spans;
    }
    for (const auto& resource : resource_spans->get_array()) {
        const auto* scope_spans =
            resource.is_object() ? resource.get_object().if_contains("scopeSpans") : nullptr;
        if (!scope_spans || !scope_spans->is_array()) {
            continue;
        }
        for (const auto& scope : scope_spans->get_array()) {
            const auto* list =
                scope.is_object() ? scope.get_object().if_contains("spans") : nullptr;
            if (!list || !list->is_array()) {
                continue;
            }
            for (const auto& span : list->get_array()) {
                if (span.is_object()) {
                    spans.push_back(span.get_object());
                }
            }
        }
    }
    return spans;
}

// What a failed wait shows: every request so far, its target and the start of its body.
std::string describe(const std::vector<OtlpRequest>& requests)
{
    std::string text = std::to_string(requests.size()) + " request(s) received";
    for (const auto& request : requests) {
        text += "\n  " + request.method + " " + request.target + " (connection " +
                std::to_string(request.connection) + "): " + request.body.substr(0, 300);
    }
    return text;
}

}  // namespace

std::string OtlpRequest::header(const std::string& name) const
{
    for (const auto& [key, value] : headers) {
        if (equal_ignoring_case(key, name)) {
            return value;
        }
    }
    return "";
}

/// Everything the collector's thread and the test's thread share. The io_context is declared
/// first so that it is destroyed last: the connection coroutines it still holds when the
/// collector stops are destroyed with it, and their sockets need it until then.
struct OtlpCollector::State {
    asio::io_context context{1};
    tcp::acceptor acceptor{context};
    std::thread thread;

    // The recorded traffic and the answers to give; the mutex guards all of it, and the
    // condition variable is notified whenever a request or accepted spans are added.
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::vector<OtlpRequest> requests;
    std::vector<json::object> spans;
    std::deque<OtlpAnswer> answers;
    OtlpAnswer then;
    std::size_t connections = 0;
    unsigned short port = 0;  // set before the thread starts, then only read

    /// The accept loop, and one connection's requests; both run on the collector's thread.
    asio::awaitable<void> accept_connections();
    asio::awaitable<void> serve(tcp::socket socket, std::size_t connection);

    /// Records a request that has arrived and says how to answer it.
    OtlpAnswer record(OtlpRequest request)
    {
        const std::lock_guard lock(mutex);
        requests.push_back(std::move(request));
        OtlpAnswer answer = then;
        if (!answers.empty()) {
            answer = answers.front();
            answers.pop_front();
        }
        changed.notify_all();
        return answer;
    }

    /// Records the spans of a request answered with a 2xx, before the answer goes out, so a
    /// client that has its 200 finds its spans in spans() at once.
    void accept(const json::value& body)
    {
        auto accepted = spans_of(body);
        const std::lock_guard lock(mutex);
        spans.insert(spans.end(), accepted.begin(), accepted.end());
        changed.notify_all();
    }
};

// One connection: requests one after another (keep-alive), until the client closes it or the
// collector stops. Runs on the collector's thread; the State outlives it (see State).
asio::awaitable<void> OtlpCollector::State::serve(tcp::socket socket, std::size_t connection)
{
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    bool silent = false;  // once a request hangs, this connection answers nothing more
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);  // a batch of large spans is well under this
        auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (read_error) {
            co_return;  // the client closed the connection, or sent something that is not HTTP
        }
        auto message = parser.release();

        OtlpRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
        }
        request.body = message.body();
        boost::system::error_code parse_error;
        request.json = json::parse(request.body, parse_error);
        if (parse_error) {
            request.json = nullptr;
        }
        request.connection = connection;
        const json::value body = request.json;
        const OtlpAnswer answer = record(std::move(request));

        // A hanging collector: the request has been read and will never be answered. Go on
        // reading, so that the coroutine ends when the client gives up and closes.
        if (silent || answer.hang) {
            silent = true;
            continue;
        }
        if (answer.delay.count() > 0) {
            asio::steady_timer timer(stream.get_executor());
            timer.expires_after(answer.delay);
            co_await timer.async_wait(use_tuple);
        }
        if (answer.status >= 200 && answer.status < 300) {
            accept(body);
        }

        http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                   message.version()};
        response.set(http::field::content_type, "application/json");
        if (!answer.retry_after.empty()) {
            response.set(http::field::retry_after, answer.retry_after);
        }
        // An ExportTraceServiceResponse with nothing to say (a full success), or a google.rpc
        // Status naming the refusal, as an OTLP collector writes them.
        response.body() = answer.status < 300 ? std::string("{}")
                                              : "{\"code\":" + std::to_string(answer.status) +
                                                    ",\"message\":\"refused by the test\"}";
        response.keep_alive(message.keep_alive());
        response.prepare_payload();
        auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
        if (write_error || !response.keep_alive()) {
            co_return;
        }
    }
}

asio::awaitable<void> OtlpCollector::State::accept_connections()
{
    for (;;) {
        auto [error, socket] = co_await acceptor.async_accept(use_tuple);
        if (error) {
            co_return;  // the acceptor was closed
        }
        std::size_t connection = 0;
        {
            const std::lock_guard lock(mutex);
            connection = ++connections;
        }
        asio::co_spawn(context, serve(std::move(socket), connection), asio::detached);
    }
}

OtlpCollector::OtlpCollector() : state_(std::make_shared<State>())
{
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    asio::co_spawn(state_->context, state_->accept_connections(), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->context.run(); });
}

OtlpCollector::~OtlpCollector()
{
    // Stops the thread where it stands; the connections' coroutines are destroyed with the
    // io_context, which closes their sockets (and so ends a client's wait on a hung request).
    state_->context.stop();
    state_->thread.join();
}

unsigned short OtlpCollector::port() const
{
    return state_->port;
}

std::string OtlpCollector::traces_url() const
{
    return "http://127.0.0.1:" + std::to_string(port()) + "/v1/traces";
}

void OtlpCollector::answer(std::vector<OtlpAnswer> answers, OtlpAnswer then)
{
    const std::lock_guard lock(state_->mutex);
    state_->answers.assign(answers.begin(), answers.end());
    state_->then = std::move(then);
}

std::vector<OtlpRequest> OtlpCollector::requests() const
{
    const std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::vector<boost::json::object> OtlpCollector::spans() const
{
    const std::lock_guard lock(state_->mutex);
    return state_->spans;
}

std::vector<boost::json::object> OtlpCollector::wait_for_spans(std::size_t count,
                                                               std::chrono::seconds guard)
{
    const auto limit = hang_guard(guard);
    std::unique_lock lock(state_->mutex);
    if (!wait_unless_stub(state_->changed, lock, limit,
                          [&] { return state_->spans.size() >= count; })) {
        const auto spans = state_->spans.size();
        const auto requests = describe(state_->requests);
        lock.unlock();
        FAIL("the collector accepted " << spans << " span(s), not " << count << ", "
                                       << why_not(limit) << "; " << requests);
    }
    return state_->spans;
}

std::vector<OtlpRequest> OtlpCollector::wait_for_requests(std::size_t count,
                                                          std::chrono::seconds guard)
{
    const auto limit = hang_guard(guard);
    std::unique_lock lock(state_->mutex);
    if (!wait_unless_stub(state_->changed, lock, limit,
                          [&] { return state_->requests.size() >= count; })) {
        const auto requests = describe(state_->requests);
        lock.unlock();
        FAIL("the collector received fewer than " << count << " request(s) " << why_not(limit)
                                                  << "; " << requests);
    }
    return state_->requests;
}

std::string attribute(const boost::json::object& owner, const std::string& key)
{
    const auto* list = owner.if_contains("attributes");
    if (!list || !list->is_array()) {
        return "";
    }
    for (const auto& entry : list->get_array()) {
        const auto* pair = entry.if_object();
        const auto* name = pair ? pair->if_contains("key") : nullptr;
        if (!name || !name->is_string() || name->get_string() != key) {
            continue;
        }
        const auto* value = pair->if_contains("value");
        if (!value || !value->is_object()) {
            return "";
        }
        const auto& any = value->get_object();
        for (const char* kind : {"stringValue", "intValue"}) {
            if (const auto* text = any.if_contains(kind)) {
                return text->is_string() ? std::string(text->get_string()) : json::serialize(*text);
            }
        }
        for (const char* kind : {"boolValue", "doubleValue"}) {
            if (const auto* other = any.if_contains(kind)) {
                return json::serialize(*other);
            }
        }
        return "";
    }
    return "";
}

}  // namespace mini_redis::testing
