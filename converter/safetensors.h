// Reader for Hugging Face .safetensors files: an 8-byte little-endian header length, a JSON
// header mapping names to {dtype, shape, data_offsets}, then the raw bytes. Tensors are read in
// pieces with pread, so the converter's memory does not grow with tensor size.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/status.h"

namespace griffin {

struct SafetensorsEntry {
  std::string name;
  std::string source_dtype;  // as spelled in the header: "F32", "BF16", ...
  DType dtype;               // valid when supported
  bool supported;            // F32, F16 and BF16 are; anything else is reported when used
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // absolute file offsets
  uint64_t end = 0;
};

class SafetensorsFile {
 public:
  // Parses and validates the header: every entry's byte range lies inside the file and matches
  // its shape and dtype. Errors name the file and, where it applies, the tensor.
  static Result<std::unique_ptr<SafetensorsFile>> open(const std::string& path);
  ~SafetensorsFile();

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsEntry* find(const std::string& name) const;

  // Reads `bytes` bytes of `entry`, starting `offset` bytes into the tensor.
  Status read(const SafetensorsEntry& entry, uint64_t offset, void* out, size_t bytes) const;

 private:
  SafetensorsFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
  std::map<std::string, SafetensorsEntry> entries_;
};

}  // namespace griffin
