// Shutdown: how a server is told to stop, by a signal in main() or by a test.
//
// Anyone may request a shutdown, from any thread; whoever must react (the accept loop, every
// session) listens for it. Stopping is cooperative: each listener is told, and stops in its own
// way, on its own strand. Book: chapter 08, "Telling everyone".
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace mini_redis {

struct ShutdownState;

/// A handle to one server's shutdown state. Copies share it (a std::shared_ptr inside), like Db.
/// Every member may be called from any thread.
///
/// There are two steps. request(): stop accepting, stop reading requests, send the replies that
/// are due, then close. force(): for whatever is still running after a grace period (a client
/// that never reads its replies), cut it off.
class Shutdown {
public:
    /// What a listener is told: the first step, or the second.
    enum class Stage { requested, forced };
    using Listener = std::function<void(Stage)>;

    /// Keeps a listener registered for as long as it lives. Move-only.
    class Registration {
    public:
        Registration(std::shared_ptr<ShutdownState> state, std::size_t id);
        Registration(Registration&& other) noexcept;
        Registration& operator=(Registration&&) = delete;
        ~Registration();

    private:
        std::shared_ptr<ShutdownState> state_;
        std::size_t id_;
    };

    Shutdown();

    /// Calls `listener` on every stage from now on, and at once for a stage already reached. It
    /// is called with no lock held, possibly on the requesting thread: it should only post work
    /// to its own strand.
    [[nodiscard]] Registration listen(Listener listener);

    /// The first step, and the second. Each happens once; calling again does nothing.
    void request();
    void force();

    bool requested() const;

private:
    void reach(Stage stage);

    std::shared_ptr<ShutdownState> state_;
};

/// What Shutdown handles share. The mutex guards the rest.
struct ShutdownState {
    std::mutex mutex;
    bool requested = false;
    bool forced = false;
    std::size_t next_id = 0;
    std::map<std::size_t, Shutdown::Listener> listeners;
};

}  // namespace mini_redis
