# The host's layers (tests/layers/check_layers.sh): no #include from a host/ folder to
# one above it in host/README.md's table, no backend reaching into another. Seconds.
add_test(NAME layers COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/layers/test_layers.sh)
set_tests_properties(layers PROPERTIES LABELS unit TIMEOUT 60)
