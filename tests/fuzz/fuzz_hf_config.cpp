// Fuzz target: the converter's config.json reader. The checkpoint's tensor shapes, which the
// reader checks the config against, come from the input too (an optional "_fuzz_shapes" object
// of name -> dims), so the fuzzer reaches the shape checks as well as the field parsing.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter/hf_config.h"
#include "tests/fuzz/fuzz_target.h"

GRIFFIN_FUZZ_TARGET(hf_config) {
  const nlohmann::json json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  const auto shapes = [&json](const std::string& name) -> std::vector<int64_t> {
    std::vector<int64_t> dims;
    if (!json.is_object()) return dims;
    const auto table = json.find("_fuzz_shapes");
    if (table == json.end() || !table->is_object()) return dims;
    const auto entry = table->find(name);
    if (entry == table->end() || !entry->is_array()) return dims;
    for (const auto& dim : *entry) {
      if (dim.is_number_integer()) dims.push_back(dim.get<int64_t>());
    }
    return dims;
  };
  auto settings = griffin::parse_hf_config(json, shapes);
  if (settings.ok()) (void)griffin::make_hf_config(settings.value().config);
  return 0;
}
