# index.html rendered by headless Chromium (tests/html.sh): images load, tables have
# data, no console message. Skipped (77) without chromium or gnuplot.
if(CMAKE_CROSSCOMPILING)
  return()
endif()
add_test(NAME plot_html_chromium
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/html.sh $<TARGET_FILE:qbench> ${CMAKE_CURRENT_SOURCE_DIR}/data/results
                 ${CMAKE_SOURCE_DIR}/plots ${CMAKE_CURRENT_SOURCE_DIR}/html_check.html)
set_tests_properties(plot_html_chromium PROPERTIES LABELS cli SKIP_RETURN_CODE 77 TIMEOUT 180)
