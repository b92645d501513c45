# The OpenCL backend, included by host/CMakeLists.txt when OpenCL is found.
# Its sources join qbench_core; the kernels (kernels/opencl/*.cl) are embedded into
# the binary as C arrays by embed.cmake at build time, so qbench needs no files at run
# time and a changed .cl rebuilds the array.
file(GLOB QB_OPENCL_HOST_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)

# One program per device is these files concatenated in this order (later files use
# helpers of earlier ones; see kernels/opencl/README.md).
set(QB_OPENCL_CL_DIR ${PROJECT_SOURCE_DIR}/kernels/opencl)
set(QB_OPENCL_CL_FILES
  ${QB_OPENCL_CL_DIR}/copy.cl
  ${QB_OPENCL_CL_DIR}/cvt.cl
  ${QB_OPENCL_CL_DIR}/quant.cl
  ${QB_OPENCL_CL_DIR}/dot.cl
  ${QB_OPENCL_CL_DIR}/qblock.cl
  ${QB_OPENCL_CL_DIR}/lowbit.cl
  ${QB_OPENCL_CL_DIR}/elem.cl)
set(QB_OPENCL_EMBEDDED ${CMAKE_BINARY_DIR}/generated/qb/opencl_sources.c)
string(REPLACE ";" "|" QB_OPENCL_CL_ARG "${QB_OPENCL_CL_FILES}")
add_custom_command(
  OUTPUT ${QB_OPENCL_EMBEDDED}
  COMMAND ${CMAKE_COMMAND} -DOUT=${QB_OPENCL_EMBEDDED} "-DSOURCES=${QB_OPENCL_CL_ARG}"
          -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${QB_OPENCL_CL_FILES} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  COMMENT "Embedding kernels/opencl/*.cl"
  VERBATIM)

target_sources(qbench_core PRIVATE ${QB_OPENCL_HOST_SOURCES} ${QB_OPENCL_EMBEDDED})
target_link_libraries(qbench_core PUBLIC OpenCL::OpenCL)
target_compile_definitions(qbench_core PUBLIC QB_HAVE_OPENCL=1)
# The backend is written against OpenCL 1.2 so that it runs on every implementation.
target_compile_definitions(qbench_core PRIVATE CL_TARGET_OPENCL_VERSION=120)
