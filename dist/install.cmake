# What `cmake --install build --prefix P` puts under P, included by the top CMakeLists:
#   P/bin/qbench
#   P/share/qbench/suites/*.suite, P/share/qbench/plots/*.gp   (found relative to the
#       binary first: host/run/suite.c, host/report/plot.c)
#   P/share/man/man1/qbench.1 and qbench-COMMAND.1               (help2man, when found)
#   P/share/bash-completion/completions/qbench
#   P/share/doc/qbench/README.md
# and `cpack -G DEB` (run in the build folder) makes a .deb of the same tree.
include(GNUInstallDirs)

install(TARGETS qbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/suites/ DESTINATION ${CMAKE_INSTALL_DATADIR}/qbench/suites
        FILES_MATCHING PATTERN "*.suite" PATTERN "README.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plots/ DESTINATION ${CMAKE_INSTALL_DATADIR}/qbench/plots
        FILES_MATCHING PATTERN "*.gp" PATTERN "README.md" PATTERN "out" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/dist/qbench.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME qbench)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages: one per command, made by help2man from the binary's own --help, so they
# never disagree with it. A cross build cannot run the binary: no man pages there.
find_program(QB_HELP2MAN help2man)
if(QB_HELP2MAN AND NOT CMAKE_CROSSCOMPILING)
  # The commands and their one-line summaries, from the CLI's own list.
  file(STRINGS ${PROJECT_SOURCE_DIR}/host/cli/commands.inc QB_COMMAND_LINES REGEX "^QB_COMMAND\\(")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/host/cli/commands.inc)
  set(QB_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  set(QB_MAN_PAGES ${QB_MAN_DIR}/qbench.1)
  add_custom_command(
    OUTPUT ${QB_MAN_DIR}/qbench.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${QB_MAN_DIR}
    COMMAND ${QB_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
            --name=${PROJECT_DESCRIPTION} --output=${QB_MAN_DIR}/qbench.1 $<TARGET_FILE:qbench>
    DEPENDS qbench
    COMMENT "man page qbench.1 (help2man)"
    VERBATIM)
  foreach(line IN LISTS QB_COMMAND_LINES)
    string(REGEX REPLACE "^QB_COMMAND\\(([a-z]+), *\"(.*)\"\\).*$" "\\1" cmd "${line}")
    string(REGEX REPLACE "^QB_COMMAND\\(([a-z]+), *\"(.*)\"\\).*$" "\\2" summary "${line}")
    # help2man runs "PROGRAM --help": a two-word program name, through its shell.
    add_custom_command(
      OUTPUT ${QB_MAN_DIR}/qbench-${cmd}.1
      COMMAND ${CMAKE_COMMAND} -E make_directory ${QB_MAN_DIR}
      COMMAND ${QB_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
              --name=${summary} --output=${QB_MAN_DIR}/qbench-${cmd}.1 "$<TARGET_FILE:qbench> ${cmd}"
      DEPENDS qbench
      COMMENT "man page qbench-${cmd}.1 (help2man)"
      VERBATIM)
    list(APPEND QB_MAN_PAGES ${QB_MAN_DIR}/qbench-${cmd}.1)
  endforeach()
  add_custom_target(qbench_man ALL DEPENDS ${QB_MAN_PAGES})
  install(FILES ${QB_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "  help2man not found (or cross build): no man pages")
endif()

# A Debian package of the same tree: `cpack -G DEB` in the build folder.
set(CPACK_PACKAGE_NAME qbench)
set(CPACK_PACKAGE_CONTACT "qbench maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox, pocl-opencl-icd")
set(CPACK_GENERATOR DEB)
include(CPack)
