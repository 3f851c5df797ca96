// CLI11 validators for the griffin-* tools' numeric flags, with short messages such as
// "must be >= 0, got -1" (CLI11's own NonNegativeNumber prints the largest double as the bound).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace griffin_tools {

// Accepts numbers in [min, max] (or (min, max] when `min_exclusive`); `what` describes the
// range in the message and in --help.
inline CLI::Validator number_in(double min, double max, bool min_exclusive, std::string what) {
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        double value = 0.0;
        if (!CLI::detail::lexical_cast(input, value)) return "not a number: " + input;
        const bool above = min_exclusive ? value > min : value >= min;
        if (!(above && value <= max)) return "must be " + what + ", got " + input;
        return std::string();
      },
      what);
}

inline CLI::Validator non_negative() {
  return number_in(0.0, 1e300, false, ">= 0");
}
inline CLI::Validator positive() {
  return number_in(0.0, 1e300, true, "> 0");
}

}  // namespace griffin_tools
