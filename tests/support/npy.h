// Minimal reader for NumPy .npy files (format 1.0/2.0, little-endian float32, C order): the
// reference fixtures' expected logits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace griffin::test {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// Throws std::runtime_error with the reason when the file is not a float32 C-order array.
NpyArray read_npy_f32(const std::string& path);

}  // namespace griffin::test
