// A synthetic Griffin model of about 6 MB with int8 matrices, which the runtime reads in place
// (nothing of it is copied or packed at load): big enough for page-level tests (residency,
// locking, 2 MB pages), small enough to write in a moment.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "converter/synthetic.h"
#include "tests/support/test_files.h"

namespace griffin::test {

// The griffin-tiny preset's layers at other widths (its embedding scale follows `width`).
struct Widths {
  int64_t width, lru_width, mlp_width, num_heads, head_dim, vocab_size;
};
inline ModelConfig tiny_config_with(const Widths& w) {
  ModelConfig c = preset_config("griffin-tiny").value();
  c.width = w.width;
  c.lru_width = w.lru_width;
  c.mlp_width = w.mlp_width;
  c.num_heads = w.num_heads;
  c.head_dim = w.head_dim;
  c.vocab_size = w.vocab_size;
  c.embedding_scale = embedding_scale_for_width(w.width);
  return c;
}

inline std::string write_small_int8_model(const TempDir& dir, const std::string& file_name) {
  const ModelConfig c = tiny_config_with({256, 256, 768, 4, 64, 4096});
  SyntheticOptions options;
  options.weight_dtype = DType::kInt8;
  const std::string path = dir.file(file_name);
  REQUIRE(write_synthetic_griffin(c, path, options).ok());
  return path;
}

}  // namespace griffin::test
