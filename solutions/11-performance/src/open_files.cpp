// Room for the clients in the open-file limit: see open_files.hpp. Book: chapter 07, "Limits
// from the operating system".
#include "open_files.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <sys/resource.h>

namespace mini_redis {

std::size_t fit_open_file_limit(std::size_t max_connections)
{
    const rlim_t wanted = max_connections + reserved_files;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return max_connections;  // cannot tell: leave it to accept()'s own error and back-off
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        // Any process may raise its soft limit up to the hard one.
        rlimit raised = limit;
        raised.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) {
        return max_connections;
    }
    const std::size_t fit = limit.rlim_cur > reserved_files ? limit.rlim_cur - reserved_files : 1;
    spdlog::warn(
        "--max-connections {} needs {} open files, but this process may open only {} "
        "(ulimit -n); serving at most {} clients",
        max_connections, wanted, limit.rlim_cur, fit);
    return fit;
}

}  // namespace mini_redis
