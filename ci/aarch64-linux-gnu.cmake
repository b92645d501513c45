# Cross build for aarch64 Linux on a Debian host (ci/test-arm.sh):
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=ci/aarch64-linux-gnu.cmake
# Compiler: Debian's gcc-aarch64-linux-gnu. Libraries: the arm64 multiarch packages
# (libjansson-dev:arm64, libcmocka-dev:arm64) under /usr/lib/aarch64-linux-gnu, which
# also puts the arm64 dynamic loader where qemu-aarch64 finds it without -L.
# Tests run under qemu-aarch64 through CMAKE_CROSSCOMPILING_EMULATOR; the CPU model
# comes from the environment (QEMU_CPU), so one build serves every model.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(QB_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${QB_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${QB_CROSS_TRIPLE}-g++)

# Headers and libraries of the target only; programs (cmake, pkg-config) of the host.
set(CMAKE_FIND_ROOT_PATH /usr/${QB_CROSS_TRIPLE})
set(CMAKE_LIBRARY_ARCHITECTURE ${QB_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must see only the arm64 .pc files: the host's x86 jansson would link
# nothing. Set in the environment because FindPkgConfig reads it from there.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${QB_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# Host-side optional dependencies would be found by mistake through the host's config
# files (Google Benchmark's CMake package, OpenCL headers); keep the cross build honest:
# they are absent unless the user passes -DQB_CROSS_ALLOW_OPTIONAL=ON with arm64 builds.
if(NOT QB_CROSS_ALLOW_OPTIONAL)
  set(CMAKE_DISABLE_FIND_PACKAGE_OpenCL ON)
  set(CMAKE_DISABLE_FIND_PACKAGE_benchmark ON)
endif()

find_program(QB_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(QB_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QB_QEMU_AARCH64})
endif()
