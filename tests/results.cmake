# Suites through the CLI (host/run/suite.c via `qbench run --list`, which plans and
# exits before any measurement): every shipped suite plans at least one case, and a bad
# suite file stops qbench with exit code 2 and its FILE:LINE message.
foreach(suite quick full error ci)
  add_test(NAME results_cli_suite_${suite}
    COMMAND sh -c "n=$(\"$1\" run --suite ${suite} --list | wc -l) && test \"$n\" -gt 0 && echo planned $n"
            sh $<TARGET_FILE:qbench>)
  set_tests_properties(results_cli_suite_${suite} PROPERTIES LABELS cli TIMEOUT 60
    PASS_REGULAR_EXPRESSION "planned [1-9]")
endforeach()
add_test(NAME results_cli_bad_suite
  COMMAND sh -c "\"$1\" run --suite \"$2\" --list 2>&1; echo rc=$?"
          sh $<TARGET_FILE:qbench> ${CMAKE_CURRENT_SOURCE_DIR}/data/suites/bad-line5.suite)
set_tests_properties(results_cli_bad_suite PROPERTIES LABELS cli TIMEOUT 60
  PASS_REGULAR_EXPRESSION "bad-line5\\.suite:5: size 'L4' is not a number \\(expected [^\n]*\nrc=2")
