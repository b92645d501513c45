# `cmake --install` into a temporary prefix, then the installed qbench runs a short
# filter of the quick suite and draws its plots from another directory (tests/install.sh).
# A cross build installs a binary this machine cannot run: no test there.
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME install_prefix
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install.sh ${CMAKE_BINARY_DIR} ${CMAKE_COMMAND})
  set_tests_properties(install_prefix PROPERTIES LABELS cli SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
