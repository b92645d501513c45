# int4 group quantization against an independent NumPy implementation
# (tests/int4/check_int4.py): skipped (77) without python3 or NumPy.
find_program(QB_PYTHON3 python3)
if(QB_PYTHON3)
  add_test(NAME int4_numpy COMMAND ${QB_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/int4/check_int4.py
    $<TARGET_FILE:qbench> ${CMAKE_CURRENT_BINARY_DIR}/int4_numpy)
else()
  add_test(NAME int4_numpy COMMAND sh -c "echo 'python3 not found: skipped'; exit 77")
endif()
set_tests_properties(int4_numpy PROPERTIES SKIP_RETURN_CODE 77 LABELS cli)
