# One test executable per *_test.cc file, beside the code it tests.
# Labels come from the file name: *_prop_test.cc -> property,
# *_sim_test.cc -> sim, *_kernel_test.cc -> kernel, *_replay_test.cc -> replay,
# *_conformance_test.cc -> conformance, anything else -> unit.
include(GoogleTest)
file(GLOB_RECURSE SYNACK_TEST_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/stack/*_test.cc ${PROJECT_SOURCE_DIR}/harness/*_test.cc
     ${PROJECT_SOURCE_DIR}/conformance/*_test.cc ${PROJECT_SOURCE_DIR}/fuzz/*_test.cc)
foreach(src IN LISTS SYNACK_TEST_SOURCES)
  get_filename_component(name ${src} NAME_WE)
  set(label unit)
  foreach(kind prop sim kernel replay conformance)
    if(name MATCHES "_${kind}_test$")
      set(label ${kind})
    endif()
  endforeach()
  if(label STREQUAL "prop")
    set(label property)
  endif()
  add_executable(${name} ${src})
  # Some tests run the command-line tool itself (bin/synack).
  add_dependencies(${name} synack)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${SYNACK_TEST_BIN_DIR})
  target_link_libraries(${name} PRIVATE synack_harness GTest::gtest GTest::gmock GTest::gtest_main
                        rapidcheck rapidcheck_gtest)
  target_compile_definitions(${name} PRIVATE SYNACK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                             SYNACK_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 120
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endforeach()

# Determinism and purity of stack/: no clocks, no OS randomness, no threads,
# no mutable globals (checked on the compiled objects' .data/.bss sections).
add_test(NAME stack_purity
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-stack-purity ${PROJECT_SOURCE_DIR}
                 $<TARGET_FILE:synack_stack>)
set_tests_properties(stack_purity PROPERTIES LABELS unit)

# A bounded soak: randomized scenarios under randomized faults (issue 8),
# about a minute in the default build (~2,000 seeds/s with two jobs); the
# sanitizer build runs ~5-10x slower, so it checks fewer seeds.
if(SYNACK_SANITIZE)
  set(SYNACK_SOAK_SEEDS 10000)
else()
  set(SYNACK_SOAK_SEEDS 100000)
endif()
add_test(NAME soak_bounded COMMAND synack soak --seeds ${SYNACK_SOAK_SEEDS} --jobs 2)
set_tests_properties(soak_bounded PROPERTIES LABELS sim TIMEOUT 600)

# The purity check itself must be able to fail.
add_test(NAME stack_purity_selftest COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-stack-purity-selftest ${PROJECT_SOURCE_DIR})
set_tests_properties(stack_purity_selftest PROPERTIES LABELS unit)
