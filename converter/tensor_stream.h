// The one loop that fills a .griffin file's tensors: chunk by chunk, in table order, with
// progress and cancellation. Conversion and synthetic generation differ only in their source.
#pragma once

#include <csignal>
#include <functional>

#include "converter/progress.h"
#include "format/tensor_sink.h"

namespace griffin {

// Fills `out` with `count` elements of tensor `index`, starting at element `first`, in the
// tensor's file dtype. Calls come in order: tensor by tensor, chunk by chunk.
using ChunkSource =
    std::function<Status(size_t index, uint64_t first, size_t count, void* out)>;

struct StreamOptions {
  Progress* progress = nullptr;                      // may be null
  const volatile std::sig_atomic_t* cancel = nullptr;  // non-zero stops the write
};

// Elements per chunk: bounds memory to a few MiB whatever the tensor size.
constexpr size_t kStreamChunkElements = size_t{1} << 20;

// Writes every tensor into `sink`, then commits it. On error (or cancellation) nothing is left.
Status stream_tensors(TensorSink& sink, const ChunkSource& source,
                      const StreamOptions& options);

}  // namespace griffin
