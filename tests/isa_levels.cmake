# test_dispatch once per ISA level of this architecture (QBENCH_MAX_ISA=<level>), plus
# once uncapped. A level this CPU cannot run exits 77 and shows as skipped.
set(QB_TEST_CUSTOM_test_dispatch ON)
add_test(NAME test_dispatch COMMAND test_dispatch)
set_tests_properties(test_dispatch PROPERTIES SKIP_RETURN_CODE 77 LABELS unit)
file(STRINGS ${PROJECT_SOURCE_DIR}/kernels/isa.inc _qb_isa_lines REGEX "^QB_ISA\\(")
foreach(line IN LISTS _qb_isa_lines)
  if(line MATCHES "^QB_ISA\\(([a-z0-9]+), *([a-z0-9]+),")
    if(CMAKE_MATCH_2 STREQUAL "any" OR CMAKE_MATCH_2 STREQUAL QB_ARCH)
      add_test(NAME test_dispatch_${CMAKE_MATCH_1} COMMAND test_dispatch)
      set_tests_properties(test_dispatch_${CMAKE_MATCH_1} PROPERTIES
        ENVIRONMENT QBENCH_MAX_ISA=${CMAKE_MATCH_1} SKIP_RETURN_CODE 77 LABELS "unit;isa")
    endif()
  endif()
endforeach()
