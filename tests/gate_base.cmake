# ci/regression's base: what ci/gate-base names, else HEAD~1 (tests/gate_base.sh; git only).
find_program(QB_GIT git)
if(QB_GIT)
  add_test(NAME gate_base COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/gate_base.sh ${CMAKE_SOURCE_DIR})
  set_tests_properties(gate_base PROPERTIES LABELS cli TIMEOUT 60)
endif()
