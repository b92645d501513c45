# The backend registry (tests/backends/check_registry.sh): every backends.inc line known
# to info, list, run --help, --backend and suites. A few seconds.
add_test(NAME backends_registry
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/backends/check_registry.sh $<TARGET_FILE:qbench> ${PROJECT_SOURCE_DIR})
set_tests_properties(backends_registry PROPERTIES LABELS "unit;cli" TIMEOUT 120)
