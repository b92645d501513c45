# The low-bit float formats (tests/test_lowbit.c, tests/lowbit_oracle.py). The f32 ->
# FP6/FP4/E8M0 casts are swept over all 2^32 inputs on the scalar reference, in
# QB_LOWBIT_CHUNKS ranges (label `exhaustive`; QB_EXHAUSTIVE_STRIDE thins them). The
# Python oracle (ml_dtypes, NumPy) is skipped (77) where python3 lacks those modules.
set(QB_LOWBIT_CHUNKS 4 CACHE STRING "Chunks per 2^32 sweep of a low-bit cast")
math(EXPR qb_lowbit_last "${QB_LOWBIT_CHUNKS} - 1")
foreach(fam f32_f6e2m3_cvt f32_f6e3m2_cvt f32_f4e2m1_cvt f32_e8m0_cvt)
  foreach(c RANGE ${qb_lowbit_last})
    add_test(NAME test_lowbit/${fam}/${c} COMMAND test_lowbit --sweep ${fam} ${c}/${QB_LOWBIT_CHUNKS})
    set_tests_properties(test_lowbit/${fam}/${c} PROPERTIES SKIP_RETURN_CODE 77 LABELS exhaustive)
    if(CMAKE_CROSSCOMPILING)
      # Under qemu (ci/test-arm.sh) the scalar references are the same C as on x86, where
      # they are swept whole: every 257th pattern is enough here (~1.5 s instead of ~21 s).
      set_tests_properties(test_lowbit/${fam}/${c} PROPERTIES ENVIRONMENT QB_EXHAUSTIVE_STRIDE=257)
    endif()
  endforeach()
endforeach()

find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME lowbit_oracle COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/lowbit_oracle.py
                                      $<TARGET_FILE:test_lowbit> ${CMAKE_CROSSCOMPILING_EMULATOR})
  set_tests_properties(lowbit_oracle PROPERTIES SKIP_RETURN_CODE 77 LABELS unit)
endif()
