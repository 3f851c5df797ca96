// The reference fixtures (tests/data/fixtures/NAME) as .griffin files and open models, for tests
// that link the converter and the runtime (header-only, so the text-only test binary does not
// have to link them).
#pragma once

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "tests/support/test_files.h"

namespace griffin::test {

// Converts fixture `name` with `dtype` matrices into `dir`; the file name carries both.
inline std::string convert_fixture(const TempDir& dir, const std::string& name,
                                   DType dtype = DType::kF32) {
  const std::string path = dir.file(name + "-" + dtype_name(dtype) + ".griffin");
  ConvertOptions options;
  options.weight_dtype = dtype;
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name, path, options)
          .ok());
  return path;
}

inline griffin_model_info model_info(const griffin_model* model) {
  griffin_model_info info;
  std::memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  return info;
}

inline griffin_model* open_model(const std::string& path) {
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  return model;
}

}  // namespace griffin::test
