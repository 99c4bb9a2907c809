# Functions the per-chapter CMakeLists.txt files call.
#
# A chapter's CMakeLists.txt is the same file in solutions/NN-name and chapters/NN-name (the
# generator copies it byte for byte), so it may not name its own targets. These functions derive
# the names from the folder instead:
#
#   solutions/01-echo-server  ->  ch01_solution  (library)  ch01_solution_server (executable)
#   chapters/01-echo-server   ->  ch01_chapter   (library)  ch01_chapter_server  (executable)
#
# and tests/01-echo-server builds ch01_solution_tests and ch01_chapter_tests from the same sources.

# Sets <out_number> to "01" and <out_variant> to "solution" or "chapter" for the folder `dir`.
function(mini_redis_identify dir out_number out_variant)
  get_filename_component(name "${dir}" NAME)
  get_filename_component(parent "${dir}" DIRECTORY)
  get_filename_component(parent "${parent}" NAME)
  string(SUBSTRING "${name}" 0 2 number)
  if(parent STREQUAL "solutions")
    set(variant solution)
  elseif(parent STREQUAL "chapters")
    set(variant chapter)
  else()
    message(FATAL_ERROR "${dir}: a chapter lives in a folder named solutions/ or chapters/")
  endif()
  set(${out_number} "${number}" PARENT_SCOPE)
  set(${out_variant} "${variant}" PARENT_SCOPE)
endfunction()

# mini_redis_chapter(SOURCES a.cpp ... [MAIN main.cpp] [EXECUTABLE_NAME name] [CLI cli.cpp]
#                    [EXAMPLES a.cpp ...] [LIBRARIES lib ...])
#
# The library chNN_<variant> holds everything but main(), so tests link the very code the
# executable runs. MAIN, when given, becomes the executable chNN_<variant>_server; its file name
# on disk is EXECUTABLE_NAME (default: the target name), placed in the variant's build folder.
# CLI becomes chNN_<variant>_cli, named mini-redis-cli on disk (its own folder per variant).
# Each of EXAMPLES, e.g. examples/hello_world.cpp, becomes chNN_<variant>_example_hello_world.
# LIBRARIES are linked to the library, and so to everything built on it (Boost::json, say).
function(mini_redis_chapter)
  cmake_parse_arguments(arg "" "MAIN;EXECUTABLE_NAME;CLI" "SOURCES;EXAMPLES;LIBRARIES" ${ARGN})
  mini_redis_identify("${CMAKE_CURRENT_SOURCE_DIR}" number variant)
  set(lib "ch${number}_${variant}")
  add_library(${lib} STATIC ${arg_SOURCES})
  # In a unity build each library is one file, whose compile every test binary waits for: under
  # a sanitizer, the complete server's takes minutes on one core while the other idles. The
  # sanitizer presets split each library into this many unity files instead.
  if(CMAKE_UNITY_BUILD AND MINI_REDIS_LIBRARY_UNITY_FILES GREATER 1)
    list(LENGTH arg_SOURCES source_count)
    math(EXPR batch "(${source_count} + ${MINI_REDIS_LIBRARY_UNITY_FILES} - 1) / ${MINI_REDIS_LIBRARY_UNITY_FILES}")
    set_target_properties(${lib} PROPERTIES UNITY_BUILD_BATCH_SIZE ${batch})
  endif()
  target_include_directories(${lib} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/src")
  target_link_libraries(${lib} PUBLIC mini_redis::common ${arg_LIBRARIES})
  if(arg_MAIN)
    add_executable(${lib}_server ${arg_MAIN})
    target_link_libraries(${lib}_server PRIVATE ${lib})
    if(arg_EXECUTABLE_NAME)
      set_target_properties(${lib}_server PROPERTIES OUTPUT_NAME "${arg_EXECUTABLE_NAME}")
    endif()
  endif()
  if(arg_CLI)
    add_executable(${lib}_cli ${arg_CLI})
    target_link_libraries(${lib}_cli PRIVATE ${lib} CLI11::CLI11)
    set_target_properties(${lib}_cli PROPERTIES OUTPUT_NAME mini-redis-cli)
  endif()
  set(examples "")
  foreach(example IN LISTS arg_EXAMPLES)
    get_filename_component(example_name "${example}" NAME_WE)
    add_executable(${lib}_example_${example_name} ${example})
    target_link_libraries(${lib}_example_${example_name} PRIVATE ${lib})
    set_target_properties(${lib}_example_${example_name} PROPERTIES OUTPUT_NAME ${example_name})
    list(APPEND examples ${lib}_example_${example_name})
  endforeach()
  # For the tests, which run the examples (see _mini_redis_test_binary).
  set_property(TARGET ${lib} PROPERTY MINI_REDIS_EXAMPLES "${examples}")
endfunction()

# mini_redis_chapter_tests(SOURCES test_a.cpp ... [LATER_SOURCES test_b.cpp ...])
#
# Builds the tests in this folder twice, against chNN_solution and chNN_chapter, and registers
# every Catch2 test case with ctest under the label chNN-solution or chNN-chapter (ctest -L takes
# a regular expression, so `-L ch01` selects both and `-L solution` every solution).
# LATER_SOURCES (a subset of SOURCES: tests of what every later chapter keeps) are also
# built against every later chapter's solution (only the newest one when
# MINI_REDIS_LATER_TESTS_ON_EVERY_CHAPTER is OFF, as in the full check), as chNN_on_chMM_tests
# with the label chNN-tests-on-chMM-solution, so a later chapter cannot break what an earlier one
# built (out of `all` when MINI_REDIS_LATER_TESTS_OUT_OF_ALL is ON, as in the check preset).
# Tests find the server executable they are built with through MINI_REDIS_SERVER_BINARY, the
# CLI through MINI_REDIS_CLI_BINARY and the examples through MINI_REDIS_EXAMPLES_DIR.
function(mini_redis_chapter_tests)
  cmake_parse_arguments(arg "" "" "SOURCES;LATER_SOURCES" ${ARGN})
  get_filename_component(name "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  string(SUBSTRING "${name}" 0 2 number)
  foreach(variant IN ITEMS solution chapter)
    _mini_redis_test_binary("ch${number}_${variant}" "ch${number}_${variant}_tests"
                            "ch${number}-${variant}" ${arg_SOURCES})
  endforeach()
  if(arg_LATER_SOURCES)
    set(later_chapters ${mini_redis_chapter_dirs})
    if(NOT MINI_REDIS_LATER_TESTS_ON_EVERY_CHAPTER)
      list(GET mini_redis_chapter_dirs -1 later_chapters)  # the newest
    endif()
    foreach(later IN LISTS later_chapters)
      string(SUBSTRING "${later}" 0 2 later_number)
      if(later_number GREATER number)
        _mini_redis_test_binary("ch${later_number}_solution" "ch${number}_on_ch${later_number}_tests"
                                "ch${number}-tests-on-ch${later_number}-solution" ${arg_LATER_SOURCES})
        if(MINI_REDIS_LATER_TESTS_OUT_OF_ALL AND TARGET ch${number}_on_ch${later_number}_tests)
          set_target_properties(ch${number}_on_ch${later_number}_tests PROPERTIES EXCLUDE_FROM_ALL ON)
        endif()
      endif()
    endforeach()
  endif()
endfunction()

# One test binary: `sources` linked against the chapter library `lib`, discovered into ctest.
function(_mini_redis_test_binary lib exe label)
  if(NOT TARGET ${lib})
    return()
  endif()
  add_executable(${exe} ${ARGN})
  if(MINI_REDIS_STARTERS_OUT_OF_ALL AND lib MATCHES "_chapter$")
    set_target_properties(${exe} PROPERTIES EXCLUDE_FROM_ALL ON)  # a starter's, in the full check
  endif()
  target_link_libraries(${exe} PRIVATE ${lib} mini_redis::testing)
  # Tests hand values to coroutine lambdas as parameters of the same name as the caller's (a
  # lambda coroutine must not capture: its captures die with the lambda), which -Wshadow flags.
  target_compile_options(${exe} PRIVATE -Wno-shadow)
  if(TARGET ${lib}_server)
    target_compile_definitions(${exe} PRIVATE "MINI_REDIS_SERVER_BINARY=\"$<TARGET_FILE:${lib}_server>\"")
    add_dependencies(${exe} ${lib}_server)
  endif()
  if(TARGET ${lib}_cli)
    target_compile_definitions(${exe} PRIVATE "MINI_REDIS_CLI_BINARY=\"$<TARGET_FILE:${lib}_cli>\"")
    add_dependencies(${exe} ${lib}_cli)
  endif()
  get_target_property(examples ${lib} MINI_REDIS_EXAMPLES)
  if(examples)
    list(GET examples 0 first)
    target_compile_definitions(${exe} PRIVATE "MINI_REDIS_EXAMPLES_DIR=\"$<TARGET_FILE_DIR:${first}>\"")
    add_dependencies(${exe} ${examples})
  endif()
  catch_discover_tests(${exe} TEST_PREFIX "${label}: " PROPERTIES LABELS "${label}" TIMEOUT 120)
endfunction()
