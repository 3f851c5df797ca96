// `griffin-convert inspect`: what a .griffin file holds, as text for people or JSON for tools.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "format/griffin_file.h"

namespace griffin {

nlohmann::ordered_json inspect_json(const GriffinFile& file);
std::string inspect_text(const GriffinFile& file, bool list_tensors);

std::string with_thousands(int64_t value);  // 2682862080 -> "2,682,862,080"

}  // namespace griffin
