// Something tensors are written into in table order, in pieces: a .griffin file or a
// safetensors file. stream_tensors() drives either one.
#pragma once

#include <vector>

#include "format/file_header.h"

namespace griffin {

class TensorSink {
 public:
  virtual ~TensorSink() = default;
  // Name, shape, dtype and byte size of every tensor, in write order.
  virtual const std::vector<TensorRecord>& records() const = 0;
  // Appends bytes of the current tensor (the first not yet complete).
  virtual Status write_tensor_bytes(const void* data, size_t bytes) = 0;
  // Closes the current tensor; its byte count must equal its record's size.
  virtual Status end_tensor() = 0;
  // Checks every tensor was written, then commits the file.
  virtual Status finish() = 0;
};

}  // namespace griffin
