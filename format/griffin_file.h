// A .griffin file opened for reading: memory-mapped, its header verified, and every tensor
// checked against the config (present once, right shape, supported dtype, bytes inside the
// file and aligned) before anyone touches a weight (docs/file-format.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "format/file_header.h"
#include "format/private_copy.h"
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
  // A model stored in `length` bytes at `offset` of the regular file open as `fd` (an APK
  // asset, say); length 0 = to the end of the file. `fd` is not kept. An offset that is a
  // multiple of kDataAlignment is mapped from the page boundary below it (zero copies, like
  // open); any other offset would leave the tensors misaligned, so the bytes are read into an
  // allocated, aligned copy instead (`length` bytes of RAM); kCopy reads a copy at any offset
  // (griffin_model_options.copy_weights: the model no longer depends on the file), and
  // kHugePageCopy one in 2 MB pages (huge_pages; private_copy.h).
  enum class Memory { kMapped, kCopy, kHugePageCopy };
  static Result<std::unique_ptr<GriffinFile>> open_fd(int fd, uint64_t offset, uint64_t length,
                                                      Memory memory = Memory::kMapped);
  // A model in caller-owned memory (not copied, not unmapped), which must stay valid and
  // unchanged while the GriffinFile lives, and be kDataAlignment-aligned like a mapping.
  static Result<std::unique_ptr<GriffinFile>> open_buffer(const void* data, size_t size);
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
  // The bytes are a shared, read-only mapping of the file (not a copy, not a caller's buffer):
  // pages dropped from it with MADV_DONTNEED come back from the file when read again.
  bool file_mapped() const { return map_base_ != nullptr; }
  // Bytes of a kHugePageCopy that the OS backs with huge pages (0 for any other opening).
  size_t huge_page_bytes() const { return copy_ ? copy_->huge_page_bytes() : 0; }
  uint64_t data_offset() const { return data_offset_; }
  // The model's identity: a hash of the header (config, tokenizer and the tensor table with
  // every dtype and offset), so another model or another quantization has another identity.
  uint64_t identity() const { return identity_; }
  int64_t parameter_count() const;

 private:
  GriffinFile() = default;
  // Verification shared by every way of opening: header, identity, config, tensors.
  Status verify();
  Status check_tensors();

  std::string path_;                  // the path, or a description such as "fd 7 at offset 4096"
  const uint8_t* mapping_ = nullptr;  // the model's first byte
  void* map_base_ = nullptr;          // what to munmap (page-aligned, may start before mapping_)
  size_t map_bytes_ = 0;
  std::unique_ptr<PrivateCopy> copy_;  // open_fd's copy, if it made one
  uint64_t file_bytes_ = 0;
  uint64_t data_offset_ = 0;
  uint64_t identity_ = 0;
  FileHeader header_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string, size_t> index_;    // name -> header_.tensors
  std::unordered_map<std::string, size_t> by_name_;  // name -> tensors_
};

}  // namespace griffin
