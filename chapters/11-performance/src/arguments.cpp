// The argument cursor: see arguments.hpp. Book: chapter 03, "Reading arguments with a cursor".
#include "arguments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mini_redis {
namespace {

/// The text of a scalar argument frame, moved out of it: the cursor never looks at an
/// argument again once it has handed it out, so a SET's value is not copied here. The request
/// parser lets through only bulk strings, simple strings and integers, so anything else is a
/// bug upstream.
std::string take_text(Frame& frame)
{
    if (auto* bulk = std::get_if<Frame::Bulk>(&frame.value)) {
        return std::move(bulk->bytes);
    }
    if (auto* simple = std::get_if<Frame::Simple>(&frame.value)) {
        return std::move(simple->text);
    }
    if (const auto* integer = std::get_if<std::int64_t>(&frame.value)) {
        return std::to_string(*integer);
    }
    throw CommandError("ERR Protocol error: expected a bulk string argument");
}

}  // namespace

std::optional<std::int64_t> to_integer(std::string_view text)
{
    // Redis's string2ll is stricter than from_chars: no "+1", no "007", no "-0".
    const std::string_view digits = text.substr(text.starts_with('-') ? 1 : 0);
    const bool canonical = text == "0" || (!digits.empty() && digits.front() != '0');
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!canonical || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

Arguments::Arguments(Frame::Array command) : items_(std::move(command))
{
    if (items_.empty()) {
        throw CommandError("ERR empty command");  // the parser skips these; defensive only
    }
    name_ = take_text(items_[0]);
    lowercase_name_ = name_;
    std::transform(lowercase_name_.begin(), lowercase_name_.end(), lowercase_name_.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
}

std::string Arguments::next_bytes()
{
    if (empty()) {
        wrong_number();
    }
    return take_text(items_[next_++]);
}

std::int64_t Arguments::next_integer()
{
    const auto value = to_integer(next_bytes());
    if (!value) {
        throw CommandError("ERR value is not an integer or out of range");
    }
    return *value;
}

void Arguments::finish() const
{
    if (!empty()) {
        wrong_number();
    }
}

void Arguments::wrong_number() const
{
    throw CommandError(
        fmt::format("ERR wrong number of arguments for '{}' command", lowercase_name_));
}

}  // namespace mini_redis
