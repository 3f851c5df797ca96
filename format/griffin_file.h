// A .griffin file opened for reading: memory-mapped, its header verified, and every tensor
// checked against the config (present once, right shape, supported dtype, bytes inside the
// file and aligned) before anyone touches a weight (DESIGN.md §3 "Loading").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "format/file_header.h"
#include "format/tensor_specs.h"

namespace griffin {

struct TensorView {
  const TensorRecord* record;  // name, shape, dtype, offset, size
  TensorRole role;
  const void* data;  // inside the mapping
  uint64_t file_offset;
};

class GriffinFile {
 public:
  static Result<std::unique_ptr<GriffinFile>> open(const std::string& path);
  ~GriffinFile();
  GriffinFile(const GriffinFile&) = delete;
  GriffinFile& operator=(const GriffinFile&) = delete;

  const std::string& path() const { return path_; }
  const FileHeader& header() const { return header_; }
  const ModelConfig& config() const { return header_.config; }
  // In the canonical order of expected_tensors().
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(const std::string& name) const;

  uint64_t file_bytes() const { return file_bytes_; }
  uint64_t data_offset() const { return data_offset_; }
  // The model's identity: a hash of the header (config, tokenizer and the tensor table with
  // every dtype and offset), so another model or another quantization has another identity.
  uint64_t identity() const { return identity_; }
  int64_t parameter_count() const;

 private:
  GriffinFile() = default;
  Status check_tensors();

  std::string path_;
  const uint8_t* mapping_ = nullptr;
  uint64_t file_bytes_ = 0;
  uint64_t data_offset_ = 0;
  uint64_t identity_ = 0;
  FileHeader header_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string, size_t> index_;    // name -> header_.tensors
  std::unordered_map<std::string, size_t> by_name_;  // name -> tensors_
};

}  // namespace griffin
