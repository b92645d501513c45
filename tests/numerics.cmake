# The numerics helper's tests: the fixtures folder for the file readers (set once the
# targets exist, through QB_TEST_TARGETS_HOOK), and shell-level checks of
# `qbench memory`, `qbench error` and `qbench apply`.
function(qb_numerics_test_data)
  foreach(t test_npy test_safetensors)
    if(TARGET ${t})
      target_compile_definitions(${t} PRIVATE QB_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
    endif()
  endforeach()
endfunction()
list(APPEND QB_TEST_TARGETS_HOOK qb_numerics_test_data)

add_test(NAME cli_numerics COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/data/cli_numerics.sh $<TARGET_FILE:qbench>
         ${CMAKE_CURRENT_SOURCE_DIR}/data)
set_tests_properties(cli_numerics PROPERTIES LABELS cli)
