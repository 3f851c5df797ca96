// Writes a .griffin file in one pass: header first, then each tensor's bytes in table order,
// streamed in pieces so a writer never holds a whole model (or a whole tensor) in memory.
// The file appears under its name only after finish() succeeds (AtomicOutputFile).
#pragma once

#include <memory>
#include <string>

#include "format/atomic_file.h"
#include "format/file_header.h"
#include "format/tensor_sink.h"

namespace griffin {

class GriffinFileWriter final : public TensorSink {
 public:
  // Tensor sizes in `header` must be set; offsets are assigned here.
  static Result<std::unique_ptr<GriffinFileWriter>> create(const std::string& path,
                                                           FileHeader header);

  const FileHeader& header() const { return header_; }
  uint64_t total_file_bytes() const { return data_offset_ + data_bytes_; }

  const std::vector<TensorRecord>& records() const override { return header_.tensors; }
  Status write_tensor_bytes(const void* data, size_t bytes) override;
  Status end_tensor() override;
  Status finish() override;

 private:
  GriffinFileWriter(std::unique_ptr<AtomicOutputFile> file, FileHeader header,
                    uint64_t data_offset, uint64_t data_bytes);

  std::unique_ptr<AtomicOutputFile> file_;
  FileHeader header_;
  uint64_t data_offset_;
  uint64_t data_bytes_;
  size_t current_tensor_ = 0;
  uint64_t current_written_ = 0;
};

}  // namespace griffin
