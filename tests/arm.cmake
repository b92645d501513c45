# Cross builds run under an emulator (ci/aarch64-linux-gnu.cmake sets
# CMAKE_CROSSCOMPILING_EMULATOR to qemu-aarch64; ci/test-arm.sh picks the CPU model
# through QEMU_CPU). CMake prepends the emulator only to tests whose command is a
# target name. Tests that start the qbench binary themselves (shell scripts, and the
# C tests that execv QB_TEST_QBENCH) would hit "Exec format error" on a host without
# binfmt_misc, so in a cross build:
#   1. qbench-emu, a host shell wrapper in the build folder, runs qbench under the
#      emulator; the C tests are compiled with it as QB_TEST_QBENCH;
#   2. the shell-level tests are registered again as <name>@emu with the wrapper, and
#      the originals are disabled (CTest lists them as "Not Run (Disabled)");
#   3. tests that need host tools for another architecture (oclgrind) are disabled.
# Nothing here applies to a native build.
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  set(QB_EMU_QBENCH ${CMAKE_BINARY_DIR}/qbench-emu)
  list(JOIN CMAKE_CROSSCOMPILING_EMULATOR "\" \"" qb_emu_cmd)
  file(GENERATE OUTPUT ${QB_EMU_QBENCH}
    CONTENT "#!/bin/sh\n# qbench under the emulator, for tests that start qbench themselves (tests/arm.cmake).\nexec \"${qb_emu_cmd}\" \"$<TARGET_FILE:qbench>\" \"$@\"\n"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

  # Runs once every test file and hook has been read (deferred to the end of this
  # directory), so the tests and target properties it rewrites exist.
  function(qb_arm_cross_tests)
    # 1. C tests that execv qbench: the wrapper instead of the aarch64 binary.
    foreach(t IN ITEMS test_compare test_compare_cli test_compare_gbench test_plot)
      if(TARGET ${t})
        get_target_property(defs ${t} COMPILE_DEFINITIONS)
        if(defs)
          list(TRANSFORM defs REPLACE "^QB_TEST_QBENCH=.*$" "QB_TEST_QBENCH=\"${QB_EMU_QBENCH}\"")
          set_target_properties(${t} PROPERTIES COMPILE_DEFINITIONS "${defs}")
        endif()
      endif()
    endforeach()

    # 2. Shell-level tests, registered again with the wrapper (their commands as in
    #    badinput.cmake, cli.cmake, numerics.cmake, run.cmake and results.cmake). A new
    #    test that starts qbench needs its twin here, or it fails in the cross build.
    set(src ${CMAKE_CURRENT_SOURCE_DIR})
    set(emu_tests "")
    if(TEST cli_basic)
      add_test(NAME cli_basic@emu COMMAND bash ${src}/cli/basic.sh ${QB_EMU_QBENCH})
      set_tests_properties(cli_basic@emu PROPERTIES LABELS "cli;emu")
      list(APPEND emu_tests cli_basic)
    endif()
    if(TEST cli_numerics)
      add_test(NAME cli_numerics@emu COMMAND bash ${src}/data/cli_numerics.sh ${QB_EMU_QBENCH} ${src}/data)
      set_tests_properties(cli_numerics@emu PROPERTIES LABELS "cli;emu")
      list(APPEND emu_tests cli_numerics)
    endif()
    if(TEST badinput)
      add_test(NAME badinput@emu COMMAND bash ${src}/badinput/run.sh ${QB_EMU_QBENCH} ${src}/data)
      set_tests_properties(badinput@emu PROPERTIES LABELS "cli;badinput;emu" TIMEOUT 600)
      list(APPEND emu_tests badinput)
    endif()
    if(TEST cli_run)
      if(benchmark_FOUND)
        add_test(NAME cli_run@emu COMMAND bash ${src}/cli/run.sh ${QB_EMU_QBENCH})
        set_tests_properties(cli_run@emu PROPERTIES LABELS "cli;emu" TIMEOUT 900)
      else()
        # Without Google Benchmark (the usual cross build) `qbench run` cannot time
        # anything: what is tested is that it says so in one line and exits 2.
        add_test(NAME cli_run_without_gbench@emu
          COMMAND sh -c "\"$1\" run --suite quick 2>&1; echo rc=$?" sh ${QB_EMU_QBENCH})
        set_tests_properties(cli_run_without_gbench@emu PROPERTIES LABELS "cli;emu" TIMEOUT 120
          PASS_REGULAR_EXPRESSION "^qbench: [^\n]*without Google Benchmark[^\n]*\nrc=2")
      endif()
      list(APPEND emu_tests cli_run)
    endif()
    foreach(suite quick full error ci)
      if(TEST results_cli_suite_${suite})
        add_test(NAME results_cli_suite_${suite}@emu
          COMMAND sh -c "n=$(\"$1\" run --suite ${suite} --list | wc -l) && test \"$n\" -gt 0 && echo planned $n"
                  sh ${QB_EMU_QBENCH})
        set_tests_properties(results_cli_suite_${suite}@emu PROPERTIES LABELS "cli;emu" TIMEOUT 120
          PASS_REGULAR_EXPRESSION "planned [1-9]")
        list(APPEND emu_tests results_cli_suite_${suite})
      endif()
    endforeach()
    if(TEST results_cli_bad_suite)
      add_test(NAME results_cli_bad_suite@emu
        COMMAND sh -c "\"$1\" run --suite \"$2\" --list 2>&1; echo rc=$?"
                sh ${QB_EMU_QBENCH} ${src}/data/suites/bad-line5.suite)
      set_tests_properties(results_cli_bad_suite@emu PROPERTIES LABELS "cli;emu" TIMEOUT 120
        PASS_REGULAR_EXPRESSION "bad-line5\\.suite:5: size 'L4' is not a number \\(expected [^\n]*\nrc=2")
      list(APPEND emu_tests results_cli_bad_suite)
    endif()
    foreach(t IN LISTS emu_tests)
      set_tests_properties(${t} PROPERTIES DISABLED TRUE)
    endforeach()

    # 3. oclgrind is a host (x86) tool and the cross build has no OpenCL.
    if(TEST opencl_oclgrind)
      set_tests_properties(opencl_oclgrind PROPERTIES DISABLED TRUE)
    endif()
    message(STATUS "tests: cross build under ${CMAKE_CROSSCOMPILING_EMULATOR}: "
                   "${emu_tests} run through qbench-emu as <name>@emu; opencl_oclgrind disabled")
  endfunction()
  cmake_language(DEFER CALL qb_arm_cross_tests)
endif()
