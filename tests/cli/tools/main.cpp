// Catch2 v2 test runner for griffin-tools-tests, the command-line tests of the example tools.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
