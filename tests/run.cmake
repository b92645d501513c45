# qbench run end to end (tests/cli/run.sh): a tiny suite, exit codes, files, signals.
add_test(NAME cli_run COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run PROPERTIES LABELS cli TIMEOUT 600)
# The same on the OpenCL backend (tests/cli/run_opencl.sh): device copy roofs and the
# rows' roof fractions; skipped without an OpenCL device.
add_test(NAME cli_run_opencl COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_opencl.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run_opencl PROPERTIES LABELS "cli;opencl" SKIP_RETURN_CODE 77 TIMEOUT 600)
