// A synthetic Griffin model of about 6 MB with int8 matrices, which the runtime reads in place
// (nothing of it is copied or packed at load): big enough for page-level tests (residency,
// locking, 2 MB pages), small enough to write in a moment.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "converter/synthetic.h"
#include "tests/support/test_files.h"

namespace griffin::test {

inline std::string write_small_int8_model(const TempDir& dir, const std::string& file_name) {
  ModelConfig c = preset_config("griffin-tiny").value();
  c.width = 256;
  c.lru_width = 256;
  c.mlp_width = 768;
  c.num_heads = 4;
  c.head_dim = 64;
  c.vocab_size = 4096;
  c.embedding_scale = embedding_scale_for_width(256);
  SyntheticOptions options;
  options.weight_dtype = DType::kInt8;
  const std::string path = dir.file(file_name);
  REQUIRE(write_synthetic_griffin(c, path, options).ok());
  return path;
}

}  // namespace griffin::test
