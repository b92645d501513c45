# Cross builds run under an emulator (ci/aarch64-linux-gnu.cmake sets
# CMAKE_CROSSCOMPILING_EMULATOR to qemu-aarch64; ci/test-arm.sh picks the CPU model
# through QEMU_CPU). CMake prepends the emulator only to tests whose command is a
# target name; tests that start qbench themselves (shell scripts, the C tests that
# execv QB_TEST_QBENCH) would hit "Exec format error" on a host without binfmt_misc.
# So in a cross build:
#   1. after each build, the aarch64 executable moves to qbench.aarch64 and
#      $<TARGET_FILE:qbench> becomes a host shell wrapper that runs it under the
#      emulator: every test that starts qbench works unchanged, whoever wrote it.
#      (A test whose COMMAND is the bare target `qbench` would get the emulator
#      prepended to the wrapper: write such tests with bash or the TARGET_FILE.)
#   2. without Google Benchmark (the usual cross build) `qbench run` refuses to time
#      anything, so the tests built on it (label `timing`: give it to any new test that
#      times cases) are disabled (CTest lists them as "Not Run (Disabled)") and cli_run_without_gbench checks the one-line refusal instead;
#   3. oclgrind is a host (x86) tool and the cross build has no OpenCL: disabled, and
#      so is badinput, one of whose rows assumes OpenCL is built.
# Nothing here applies to a native build.
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR AND TARGET qbench)
  list(JOIN CMAKE_CROSSCOMPILING_EMULATOR "\" \"" qb_emu_cmd)
  set(qb_emu_wrapper ${CMAKE_BINARY_DIR}/generated/qbench-emu)
  file(GENERATE OUTPUT ${qb_emu_wrapper}
    CONTENT "#!/bin/sh\n# qbench (aarch64) under the emulator: tests/arm.cmake put this wrapper where the\n# build writes qbench, so tests that start qbench themselves run on this host.\nexec \"${qb_emu_cmd}\" \"$<TARGET_FILE:qbench>.aarch64\" \"$@\"\n"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  # After every build: when the build (re)wrote the aarch64 binary at qbench, move it
  # aside and put the wrapper there (a custom target: the link rule lives in host/).
  add_custom_target(qbench_emu_wrapper ALL
    COMMAND sh -c "if head -c 4 \"$1\" | grep -q ELF; then mv -f \"$1\" \"$1.aarch64\" && cp \"$2\" \"$1\"; fi"
            sh $<TARGET_FILE:qbench> ${qb_emu_wrapper}
    COMMENT "qbench: the aarch64 binary is qbench.aarch64; qbench runs it under ${CMAKE_CROSSCOMPILING_EMULATOR}"
    VERBATIM)
  add_dependencies(qbench_emu_wrapper qbench)

  # Runs once every test file and hook has been read (deferred to the end of this
  # directory), so the tests it changes exist.
  function(qb_arm_cross_tests)
    set(off "")
    if(NOT benchmark_FOUND)
      # Every test labelled `timing` (it needs qbench run to time its cases).
      get_property(all DIRECTORY PROPERTY TESTS)
      foreach(t IN LISTS all)
        get_test_property(${t} LABELS labels)
        if("timing" IN_LIST labels)
          list(APPEND off ${t})
        endif()
      endforeach()
      add_test(NAME cli_run_without_gbench
        COMMAND sh -c "\"$1\" run --suite quick 2>&1; echo rc=$?" sh $<TARGET_FILE:qbench>)
      set_tests_properties(cli_run_without_gbench PROPERTIES LABELS cli TIMEOUT 120
        PASS_REGULAR_EXPRESSION "^qbench: [^\n]*without Google Benchmark[^\n]*\nrc=2")
    endif()
    if(TEST opencl_oclgrind)
      list(APPEND off opencl_oclgrind)
    endif()
    # badinput's row run-unknown-device expects the OpenCL backend's message about the
    # device; without OpenCL qbench answers "--backend opencl: built without OpenCL".
    # Until the table skips that row in such builds, the whole test is off here.
    if(NOT OpenCL_FOUND AND TEST badinput)
      list(APPEND off badinput)
    endif()
    foreach(t IN LISTS off)
      set_tests_properties(${t} PROPERTIES DISABLED TRUE)
    endforeach()
    message(STATUS "tests: cross build under ${CMAKE_CROSSCOMPILING_EMULATOR}; disabled (need "
                   "Google Benchmark or a host tool): ${off}")
  endfunction()
  cmake_language(DEFER CALL qb_arm_cross_tests)
endif()
