# Compiler flags shared by every target, as an interface library.
add_library(synack_flags INTERFACE)
target_compile_options(synack_flags INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
                       -Wimplicit-fallthrough)
if(SYNACK_WERROR)
  target_compile_options(synack_flags INTERFACE -Werror)
endif()
if(SYNACK_SANITIZE)
  target_compile_options(synack_flags INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(synack_flags INTERFACE -fsanitize=address,undefined)
endif()
if(SYNACK_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SYNACK_FUZZ needs clang (use the fuzz preset)")
  endif()
  # Everything is instrumented for coverage; only fuzz targets link the engine.
  # Under OSS-Fuzz/ClusterFuzzLite the flags come from $CFLAGS/$CXXFLAGS instead.
  # The engine is remembered in the cache at the first configure: a
  # re-configure that `cmake --build` starts (a new source file) runs without
  # the environment variable and must not switch the build to ASan.
  if(DEFINED ENV{LIB_FUZZING_ENGINE})
    set(SYNACK_LIB_FUZZING_ENGINE "$ENV{LIB_FUZZING_ENGINE}" CACHE STRING
        "libFuzzer link flags from $LIB_FUZZING_ENGINE (empty: fuzzer+ASan+UBSan)" FORCE)
  endif()
  if(NOT SYNACK_LIB_FUZZING_ENGINE)
    target_compile_options(synack_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                           -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(synack_flags INTERFACE -fsanitize=address,undefined)
  endif()
endif()
