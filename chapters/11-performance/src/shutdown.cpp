// The shutdown signal: see shutdown.hpp. Book: chapter 08, "Telling everyone".
#include "shutdown.hpp"

#include <vector>

namespace mini_redis {

Shutdown::Registration::Registration(std::shared_ptr<ShutdownState> state, std::size_t id)
    : state_(std::move(state)), id_(id)
{
}

Shutdown::Registration::Registration(Registration&& other) noexcept
    : state_(std::move(other.state_)), id_(other.id_)
{
}

Shutdown::Registration::~Registration()
{
    if (state_) {
        std::lock_guard lock(state_->mutex);
        state_->listeners.erase(id_);
    }
}

Shutdown::Shutdown() : state_(std::make_shared<ShutdownState>()) {}

Shutdown::Registration Shutdown::listen(Listener listener)
{
    std::size_t id = 0;
    bool requested = false;
    bool forced = false;
    {
        std::lock_guard lock(state_->mutex);
        id = state_->next_id++;
        state_->listeners.emplace(id, listener);
        requested = state_->requested;
        forced = state_->forced;
    }
    // Late to the party: hear at once what everyone else heard already.
    if (requested) {
        listener(Stage::requested);
    }
    if (forced) {
        listener(Stage::forced);
    }
    return Registration(state_, id);
}

void Shutdown::request()
{
    reach(Stage::requested);
}

void Shutdown::force()
{
    request();  // forcing implies the first step
    reach(Stage::forced);
}

bool Shutdown::requested() const
{
    std::lock_guard lock(state_->mutex);
    return state_->requested;
}

void Shutdown::reach(Stage stage)
{
    std::vector<Listener> to_call;
    {
        std::lock_guard lock(state_->mutex);
        bool& reached = stage == Stage::requested ? state_->requested : state_->forced;
        if (reached) {
            return;
        }
        reached = true;
        for (const auto& [id, listener] : state_->listeners) {
            to_call.push_back(listener);
        }
    }
    // Outside the lock: a listener may register or unregister others.
    for (const auto& listener : to_call) {
        listener(stage);
    }
}

}  // namespace mini_redis
