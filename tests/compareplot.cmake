# qbench compare / plot tests: they read the fixtures in tests/data/results, run the
# qbench binary (CLI exit codes and messages) and the gnuplot scripts in plots/.
# Applied through QB_TEST_TARGETS_HOOK, once the test targets exist.
function(qb_compareplot_test_defs)
  foreach(t IN ITEMS test_compare test_compare_cli test_compare_gbench test_paired test_plot)
    if(TARGET ${t})
      target_compile_definitions(${t} PRIVATE
        QB_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data/results"
        QB_TEST_QBENCH="$<TARGET_FILE:qbench>"
        QB_TEST_PLOTS="${CMAKE_SOURCE_DIR}/plots")
      add_dependencies(${t} qbench)
    endif()
  endforeach()
endfunction()
list(APPEND QB_TEST_TARGETS_HOOK qb_compareplot_test_defs)
