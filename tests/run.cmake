# qbench run end to end (tests/cli/run.sh): a tiny suite, exit codes, files, signals.
add_test(NAME cli_run COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run PROPERTIES LABELS cli TIMEOUT 600)
# The same on the OpenCL backend (tests/cli/run_opencl.sh): device copy roofs and the
# rows' roof fractions; skipped without an OpenCL device.
add_test(NAME cli_run_opencl COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_opencl.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run_opencl PROPERTIES LABELS "cli;opencl" SKIP_RETURN_CODE 77 TIMEOUT 600)
# Nothing lost (tests/cli/journal.sh): SIGKILL then recover and --resume; SIGINT,
# SIGTERM, SIGHUP, a closed stdout, a file size limit, names taken before and during a
# run; filters that select nothing, --out x.csv, timed-out rows.
add_test(NAME cli_journal COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/journal.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_journal PROPERTIES LABELS cli TIMEOUT 600)
