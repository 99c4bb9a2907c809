// Exercise stubs: what an unfinished exercise does when the program reaches it.
//
// The generator (./workbook generate) turns each exercise region of a solution into a call to
// one of these functions. Reaching a stub throws `exercise_not_done`, whose message names the
// exercise and where to read about it, so a failing test says *which* exercise to do next instead
// of hanging or crashing. See CONTRIBUTING.md, "Exercises".
#pragma once

#include <boost/asio/awaitable.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace mini_redis {

/// Thrown by a stub. `what()` reads like "exercise 01.1 is not done yet (book: ...;
/// ./workbook hint 01.1)". Code that catches exceptions at a boundary (a connection handler, the
/// test harness) logs it and goes on; nothing should swallow it silently.
class exercise_not_done : public std::logic_error {
public:
    exercise_not_done(std::string_view id, std::string_view book_section);

    /// The exercise id, e.g. "01.1".
    const std::string& id() const noexcept { return id_; }

private:
    std::string id_;
};

/// Something to call with each exercise_not_done as it is made, on the thread that reached the
/// stub. The test harness sets one, to stop waiting as soon as the code under test reaches an
/// unfinished exercise, since whatever the test waits for will not come
/// (mini_redis/testing/stub_watch.hpp). Programs set none.
using StubObserver = void (*)(const exercise_not_done&);

/// Sets the observer (nullptr: none). Set it before any thread can reach a stub.
void observe_stubs(StubObserver observer) noexcept;

/// The stub for a plain function: throws exercise_not_done. Never returns, so the compiler
/// accepts it in a function that should return a value.
[[noreturn]] void todo(std::string_view id, std::string_view book_section);

/// The stub inside a coroutine: `co_await co_todo("01.1", "...")` throws exercise_not_done at
/// that point. A coroutine stub has to be an await: a function whose only statement is a plain
/// `throw` is no longer a coroutine, and would throw at its call site instead.
/// The arguments are string literals, taken as plain pointers on purpose: a std::string argument
/// would be a temporary inside the co_await expression, and GCC 12 destroys such temporaries
/// twice when the exception is caught inside the same coroutine (a stub within a try block).
boost::asio::awaitable<void> co_todo(const char* id, const char* book_section);

/// The stub that ends a coroutine returning a T: `co_return co_await co_todo<T>("01.1", "...")`.
/// Written where the exercise held the coroutine's co_return, so that no compiler sees it flow
/// off its end (clang warns of that; GCC does not).
template <typename T>
boost::asio::awaitable<T> co_todo(const char* id, const char* book_section)
{
    for (;;) {
        co_await co_todo(id, book_section);  // throws: the loop never turns
    }
}

/// Does nothing with its arguments. A starter calls it before a stub with the parameters only
/// the exercise's solution uses, so the compiler does not warn that they are unused.
template <typename... Unused>
void unused(const Unused&...) noexcept
{
}

/// For the bite check only: true when the environment variable MINI_REDIS_CUT names `id`
/// (a comma-separated list of exercise ids). Bite-check builds call it in front of every
/// exercise region so one build can stand for the solution and for each exercise cut out.
bool cut(std::string_view id);

}  // namespace mini_redis
