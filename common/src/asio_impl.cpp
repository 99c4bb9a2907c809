// The one translation unit that compiles Boost.Asio's implementation.
//
// Every target defines BOOST_ASIO_SEPARATE_COMPILATION (see common/CMakeLists.txt), which makes
// Asio's headers declare their functions instead of defining them inline; this file provides the
// definitions once. Nothing to learn here: it only makes the build faster.
#include <boost/asio/impl/src.hpp>
