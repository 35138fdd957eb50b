# culprit_embed(<out-var> NAMESPACE <ns> FUNCTION <fn> FILES <file>...)
# Generates a .cc that embeds FILES (see cmake/embed.cmake) and sets <out-var>
# to its path, to be added to a library's sources.
function(culprit_embed out_var)
  cmake_parse_arguments(ARG "" "NAMESPACE;FUNCTION" "FILES" ${ARGN})
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${ARG_FUNCTION}_embedded.cc")
  list(JOIN ARG_FILES "|" joined)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${output}" "-DNAMESPACE=${ARG_NAMESPACE}"
            "-DFUNCTION=${ARG_FUNCTION}" "-DFILES=${joined}"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed.cmake"
    DEPENDS ${ARG_FILES} "${PROJECT_SOURCE_DIR}/cmake/embed.cmake"
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

# culprit_test(<name> SOURCES <file>... LIBS <lib>... [LABELS <label>...])
# Builds a GoogleTest binary and registers each of its tests with ctest.
function(culprit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    CULPRIT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CULPRIT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
