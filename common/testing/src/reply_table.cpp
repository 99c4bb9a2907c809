// Checking a server against a table of replies: see reply_table.hpp.
#include "mini_redis/testing/reply_table.hpp"

#include "mini_redis/testing/escape_bytes.hpp"
#include "mini_redis/testing/log_capture.hpp"
#include "mini_redis/testing/test_client.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <sstream>
#include <thread>

namespace mini_redis::testing {
namespace {

/// How many bytes of a text printable() shows in full; a longer one keeps its two ends.
constexpr std::size_t shown_in_full = 2048;

/// Where `received` first differs from `expected`, in words a learner can act on.
std::string first_difference(std::string_view received, std::string_view expected)
{
    const auto [at, ignored] =
        std::mismatch(received.begin(), received.end(), expected.begin(), expected.end());
    const auto offset = static_cast<std::size_t>(at - received.begin());
    if (offset == received.size()) {
        return fmt::format("the reply stops after {} bytes; {} more were expected: \"{}\"", offset,
                           expected.size() - offset, printable(expected.substr(offset)));
    }
    if (offset == expected.size()) {
        return fmt::format("the first {} bytes are right, then {} bytes too many: \"{}\"", offset,
                           received.size() - offset, printable(received.substr(offset)));
    }
    return fmt::format("the first difference is at byte {}: \"{}\" where \"{}\" was expected",
                       offset, printable(received.substr(offset, 16)),
                       printable(expected.substr(offset, 16)));
}

/// The in-process server's recent log, where an unfinished exercise names itself, for a
/// failure's message ("" for a server in another process, whose log is not captured).
std::string server_log()
{
    // The line that says why a connection closed is written just after the close: give it a
    // moment to arrive. This only delays a case that has failed already.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Its last lines only: a report shows the first lines of each failure, and the newest
    // line is the one that says why.
    std::istringstream all(recent_log());
    std::deque<std::string> last;
    for (std::string line; std::getline(all, line);) {
        last.push_back(std::move(line));
        if (last.size() > 6) {
            last.pop_front();
        }
    }
    std::string text;
    for (const auto& line : last) {
        text += "\n    " + line;
    }
    return text.empty() ? "" : "\n  recent server log:" + text;
}

}  // namespace

std::string printable(std::string_view bytes)
{
    const auto all_of = [](std::string_view part) { return escape_bytes(part, part.size()); };
    if (bytes.size() <= shown_in_full) {
        return all_of(bytes);
    }
    return all_of(bytes.substr(0, shown_in_full - 256)) +
           fmt::format("\" ...({} bytes left out, {} in all)... \"", bytes.size() - shown_in_full,
                       bytes.size()) +
           all_of(bytes.substr(bytes.size() - 256));
}

void check_replies(unsigned short port, const std::vector<ReplyCase>& cases)
{
    for (const auto& c : cases) {
        const auto described = fmt::format("case: {}\n  sent:     \"{}\"\n  expected: \"{}\"",
                                           c.name, printable(c.request), printable(c.replies));
        std::string received;
        try {
            received = conversation(port, c.request);
        } catch (const std::exception& e) {
            FAIL_CHECK(described << "\n  the conversation broke off: " << e.what() << server_log());
            continue;
        }
        if (received == c.replies) {
            SUCCEED(c.name);
        } else {
            FAIL_CHECK(described << "\n  received: \"" << printable(received) << "\"\n  "
                                 << first_difference(received, c.replies) << server_log());
        }
    }
}

}  // namespace mini_redis::testing
