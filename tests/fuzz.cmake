# Fuzz targets (tests/fuzz/): one per parser, each a libFuzzer entry point.
#
# Every build, with any compiler, links each target with a replay driver
# (fuzz_<t>_replay) and registers `fuzz_replay_<t>` (labels unit, fuzz): the committed
# seed corpus and every crash found so far (tests/fuzz/corpus/<t>/), replayed. Under
# the sanitizer pass of ci/test.sh that is a regression test of each fixed bug.
#
# -DQB_FUZZ=ON (clang, with -DQB_SANITIZE=ON) also builds the libFuzzer executables
# fuzz_<t>, with the host library instrumented for coverage; ci/fuzz.sh runs them.
option(QB_FUZZ "Build the libFuzzer targets (clang, with QB_SANITIZE)" OFF)
set(QB_FUZZ_TARGETS suite npy safetensors resultsread cli journal)
set(qb_fuzz_dir ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

if(QB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "QB_FUZZ needs clang and clang++ (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT QB_SANITIZE)
    message(FATAL_ERROR "QB_FUZZ needs -DQB_SANITIZE=ON: a fuzzer without ASan/UBSan misses most bugs")
  endif()
  # Coverage feedback from the parsers themselves, not only the target files.
  target_compile_options(qbench_core PRIVATE -fsanitize=fuzzer-no-link)
  # The fuzzers feed parsers; no input of theirs reaches a kernel's loop (the kernels run
  # under ASan in ci/test.sh's sanitizer pass). Unoptimised, without debug information
  # or sanitizers, the kernels' 330 files build in a fraction of the time: the build was
  # most of ci/fuzz.sh's 168 s on a 2-core Intel Xeon VM in session 22.
  target_compile_options(qb_kernels PRIVATE -O0 -g0 -fno-sanitize=all)
endif()

foreach(t IN LISTS QB_FUZZ_TARGETS)
  add_executable(fuzz_${t}_replay ${qb_fuzz_dir}/fuzz_${t}.c ${qb_fuzz_dir}/replay_main.c)
  target_include_directories(fuzz_${t}_replay PRIVATE ${qb_fuzz_dir})
  target_link_libraries(fuzz_${t}_replay PRIVATE qbench_core)
  add_test(NAME fuzz_replay_${t} COMMAND fuzz_${t}_replay ${qb_fuzz_dir}/corpus/${t})
  set_tests_properties(fuzz_replay_${t} PROPERTIES LABELS "unit;fuzz")
  if(QB_FUZZ)
    add_executable(fuzz_${t} ${qb_fuzz_dir}/fuzz_${t}.c)
    target_include_directories(fuzz_${t} PRIVATE ${qb_fuzz_dir})
    target_link_libraries(fuzz_${t} PRIVATE qbench_core)
    target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  endif()
endforeach()
