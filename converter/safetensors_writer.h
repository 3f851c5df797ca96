// Writes safetensors files, streamed tensor by tensor like .griffin files. Used for synthetic
// Hugging Face checkpoints (converter tests at any size, quick starts without Python).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "format/atomic_file.h"
#include "format/tensor_sink.h"

namespace griffin {

class SafetensorsWriter final : public TensorSink {
 public:
  // Records need name, shape and dtype; sizes and offsets are computed here.
  static Result<std::unique_ptr<SafetensorsWriter>> create(const std::string& path,
                                                           std::vector<TensorRecord> records);

  const std::vector<TensorRecord>& records() const override { return records_; }
  Status write_tensor_bytes(const void* data, size_t bytes) override;
  Status end_tensor() override;
  Status finish() override;

 private:
  SafetensorsWriter(std::unique_ptr<AtomicOutputFile> file, std::vector<TensorRecord> records)
      : file_(std::move(file)), records_(std::move(records)) {}

  std::unique_ptr<AtomicOutputFile> file_;
  std::vector<TensorRecord> records_;
  size_t current_ = 0;
  uint64_t written_ = 0;
};

// The safetensors dtype name: "F32", "F16", "BF16".
const char* safetensors_dtype_name(DType dtype);

}  // namespace griffin
