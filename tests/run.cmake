# qbench run end to end (tests/cli/run.sh): a tiny suite, exit codes, files, signals.
add_test(NAME cli_run COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_run PROPERTIES LABELS cli TIMEOUT 600)
