# The OpenCL tests (label opencl): test_opencl on every device the ICD loader lists
# (skipped without one), and the same test on oclgrind with its memory,
# uninitialized-value, data-race and API checks (ci/oclgrind; skipped when oclgrind is
# not installed). Read before the test targets exist: names resolve at generate time.
set(QB_TEST_CUSTOM_test_opencl ON)
add_test(NAME test_opencl COMMAND test_opencl)
set_tests_properties(test_opencl PROPERTIES LABELS "unit;opencl" SKIP_RETURN_CODE 77 TIMEOUT 600)
if(QB_SANITIZE)
  # Under the sanitizers the host side is what is being checked: fewer sizes (the full
  # list takes minutes there), and no oclgrind run, whose own checks cover the device
  # side and which a sanitized process only slows down.
  set_tests_properties(test_opencl PROPERTIES ENVIRONMENT QB_OPENCL_TEST_QUICK=1)
else()
  add_test(NAME opencl_oclgrind COMMAND ${PROJECT_SOURCE_DIR}/ci/oclgrind -- $<TARGET_FILE:test_opencl>)
  set_tests_properties(opencl_oclgrind PROPERTIES LABELS opencl SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()
