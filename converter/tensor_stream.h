// The one loop that fills a file's tensors: chunk by chunk, in table order, with progress and
// cancellation. Sources produce float32 values; this loop stores them in each tensor's dtype,
// quantizing int8/int4 matrices row by row (format/quant.h). Conversion and synthetic
// generation differ only in their source.
#pragma once

#include <csignal>
#include <functional>

#include "converter/progress.h"
#include "format/tensor_sink.h"

namespace griffin {

// Fills `out` with `count` values of tensor `index`, starting at element `first` (row-major).
// Calls come in order: tensor by tensor, chunk by chunk.
using ChunkSource = std::function<Status(size_t index, uint64_t first, size_t count, float* out)>;

struct StreamOptions {
  Progress* progress = nullptr;                        // may be null
  const volatile std::sig_atomic_t* cancel = nullptr;  // non-zero stops the write
};

// Values per chunk: bounds memory to a few MiB whatever the tensor size (a quantized tensor
// also keeps its scales, a small fraction of it, until its data is written).
constexpr size_t kStreamChunkElements = size_t{1} << 20;

// Writes every tensor into `sink`, then commits it. On error (or cancellation) nothing is left.
Status stream_tensors(TensorSink& sink, const ChunkSource& source, const StreamOptions& options);

}  // namespace griffin
