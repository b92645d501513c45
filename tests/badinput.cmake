# The bad-input table (tests/badinput/table.txt, run by tests/badinput/run.sh): every
# line is refused with exit code 2, one line on stderr naming the input and the
# problem, and no file created or changed. Label `cli`.
add_test(NAME badinput COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/badinput/run.sh $<TARGET_FILE:qbench>
         ${CMAKE_CURRENT_SOURCE_DIR}/data)
set_tests_properties(badinput PROPERTIES LABELS "cli;badinput" TIMEOUT 300)
