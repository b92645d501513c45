# The exhaustive cast sweeps, label `exhaustive` (tests/test_cvt_scalar.c,
# tests/test_cvt_simd.c). Each 2^32 input space is split into QB_CVT_CHUNKS ranges of
# the high bits, one CTest test each, so `ctest -j` spreads a family over the cores.
# QB_EXHAUSTIVE_STRIDE=k thins the 2^32 sweeps to every k-th pattern (the sanitizer
# pass uses 257); the 8- and 16-bit input spaces are always swept whole.
set(QB_CVT_CHUNKS 8 CACHE STRING "Chunks per 2^32 exhaustive cast sweep")
math(EXPR qb_cvt_last "${QB_CVT_CHUNKS} - 1")

set(qb_cvt_wide_families f32_f16_cvt f32_bf16_cvt f32_f8e4m3_cvt f32_f8e4m3_cvtsat f32_f8e5m2_cvt)
set(qb_cvt_narrow_families f16_f32_cvt bf16_f32_cvt f8e4m3_f32_cvt f8e5m2_f32_cvt)

# Works whether this file is read before or after the test targets exist: add_test
# resolves a target name at generate time. The default test (no arguments, label `unit`)
# of each executable stays as tests/CMakeLists.txt registers it.
function(qb_cvt_add_sweeps exe wide narrow)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${exe}.c)
    return()
  endif()
  foreach(fam IN LISTS wide)
    foreach(c RANGE ${qb_cvt_last})
      add_test(NAME ${exe}/${fam}/${c} COMMAND ${exe} --sweep ${fam} ${c}/${QB_CVT_CHUNKS})
      set_tests_properties(${exe}/${fam}/${c} PROPERTIES SKIP_RETURN_CODE 77 LABELS exhaustive)
    endforeach()
  endforeach()
  foreach(fam IN LISTS narrow)
    add_test(NAME ${exe}/${fam} COMMAND ${exe} --sweep ${fam})
    set_tests_properties(${exe}/${fam} PROPERTIES SKIP_RETURN_CODE 77 LABELS exhaustive)
  endforeach()
endfunction()

# test_cvt_scalar's sweeps hold the reference to the oracle and every usable SIMD variant
# to the reference, in one pass (the reference costs about half of a variant sweep: on a
# 2-core Intel Xeon VM the two passes apart took 320 of the CI's core-seconds).
# f32 -> f64 is swept only for the variants (test_cvt_simd, against the reference, which is
# cheap): every one of its outputs differs, so the scalar oracle would be called 2^32
# times. The scalar test checks it on edge cases and a thinned sweep instead.
qb_cvt_add_sweeps(test_cvt_scalar "${qb_cvt_wide_families}" "${qb_cvt_narrow_families}")
qb_cvt_add_sweeps(test_cvt_simd f32_f64_cvt "")
