# The quant families' exhaustive sweeps, label `exhaustive` (tests/test_quant_simd.c
# --sweep): every f32 bit pattern through every usable SIMD variant of the per-tensor
# quantize and fake-quant families, in both rounding modes, against the scalar
# reference. Each 2^32 space is split into QB_QUANT_CHUNKS ranges, one CTest test each.
# QB_EXHAUSTIVE_STRIDE=k visits every k-th pattern. The default registration of
# test_quant_simd (label `unit`) stays as tests/CMakeLists.txt makes it.
set(QB_QUANT_CHUNKS 4 CACHE STRING "Chunks per 2^32 exhaustive quant sweep")
math(EXPR qb_quant_last "${QB_QUANT_CHUNKS} - 1")
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_quant_simd.c)
  foreach(fam f32_qs8_quant f32_qu8_quant f32_qs8_fakequant)
    foreach(c RANGE ${qb_quant_last})
      add_test(NAME test_quant_simd/${fam}/${c}
        COMMAND test_quant_simd --sweep ${fam} ${c}/${QB_QUANT_CHUNKS})
      set_tests_properties(test_quant_simd/${fam}/${c} PROPERTIES SKIP_RETURN_CODE 77 LABELS exhaustive)
    endforeach()
  endforeach()
endif()
