# Shell-level tests of the qbench executable.
add_test(NAME cli_basic COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/basic.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_basic PROPERTIES LABELS cli)
