// .npy reader (see npy.h).
#include "tests/support/npy.h"

#include <cstring>
#include <regex>
#include <stdexcept>

#include "tests/support/test_files.h"

namespace griffin::test {

NpyArray read_npy_f32(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    throw std::runtime_error(path + ": not a .npy file");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    header_start = 10;
  } else {
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    header_len = len;
    header_start = 12;
  }
  const std::string header = bytes.substr(header_start, header_len);
  if (header.find("'descr': '<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    throw std::runtime_error(path + ": expected little-endian float32 in C order: " + header);
  }
  std::smatch match;
  if (!std::regex_search(header, match, std::regex("'shape': \\(([0-9, ]*)\\)"))) {
    throw std::runtime_error(path + ": no shape in header");
  }
  NpyArray array;
  const std::string dims = match[1];
  std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number); it != std::sregex_iterator();
       ++it) {
    array.shape.push_back(std::stoll(it->str()));
  }
  size_t count = 1;
  for (int64_t dim : array.shape) count *= static_cast<size_t>(dim);
  const size_t data_start = header_start + header_len;
  if (bytes.size() != data_start + count * 4) throw std::runtime_error(path + ": wrong data size");
  array.values.resize(count);
  std::memcpy(array.values.data(), bytes.data() + data_start, count * 4);
  return array;
}

}  // namespace griffin::test
