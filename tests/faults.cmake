# Fault injection (tests/faults/faults.sh), label `faults`: OpenCL device faults through
# an LD_PRELOAD shim over the OpenCL API (tests/faults/clfault.c, built when OpenCL is
# found), SIGTERM mid-run, a full disk and a read-only results folder (a tmpfs in a
# private mount namespace), and a size beyond the address space. Each mode exits 77
# (skipped) where the machine cannot stage it.
set(qb_faults_shim "")
if(OpenCL_FOUND)
  add_library(qb_clfault MODULE ${CMAKE_CURRENT_SOURCE_DIR}/faults/clfault.c)
  target_include_directories(qb_clfault PRIVATE ${OpenCL_INCLUDE_DIRS})
  target_link_libraries(qb_clfault PRIVATE ${CMAKE_DL_LIBS})
  # Preloaded ahead of everything: it must not need the sanitizer runtimes itself.
  target_compile_options(qb_clfault PRIVATE -fno-sanitize=all)
  target_link_options(qb_clfault PRIVATE -fno-sanitize=all)
  set(qb_faults_shim $<TARGET_FILE:qb_clfault>)
endif()
# A signal raised in the middle of the final write (tests/faults/sigwrite.c, preloaded
# by the sigwrite mode): the write finishes, no temp file is left.
add_library(qb_sigwrite MODULE ${CMAKE_CURRENT_SOURCE_DIR}/faults/sigwrite.c)
target_link_libraries(qb_sigwrite PRIVATE ${CMAKE_DL_LIBS})
target_compile_options(qb_sigwrite PRIVATE -fno-sanitize=all)
target_link_options(qb_sigwrite PRIVATE -fno-sanitize=all)
add_test(NAME faults_sigwrite
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/faults/faults.sh sigwrite $<TARGET_FILE:qbench> $<TARGET_FILE:qb_sigwrite>)
set_tests_properties(faults_sigwrite PROPERTIES LABELS "faults;timing" SKIP_RETURN_CODE 77 TIMEOUT 300)
foreach(mode IN ITEMS opencl signal disk oom)
  add_test(NAME faults_${mode}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/faults/faults.sh ${mode} $<TARGET_FILE:qbench> ${qb_faults_shim})
  set_tests_properties(faults_${mode} PROPERTIES LABELS "faults;timing" SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
