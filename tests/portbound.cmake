# ci/portbound (the llvm-mca port bound of each kernel's main loop) on a small results
# file of this build (tests/portbound.sh). x86 only: the loops are read as x86 code. Not
# in a sanitized build, whose loops carry the sanitizers' checks and calls; not under
# cross-compiling. Skipped (77) without llvm-mca.
if(CMAKE_CROSSCOMPILING OR QB_SANITIZE OR NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  return()
endif()
add_test(NAME portbound
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/portbound.sh $<TARGET_FILE:qbench> ${CMAKE_BINARY_DIR}
                 ${CMAKE_SOURCE_DIR}/ci/portbound)
set_tests_properties(portbound PROPERTIES LABELS cli SKIP_RETURN_CODE 77 TIMEOUT 240)
