// Chunked tensor writing (see tensor_stream.h).
#include "converter/tensor_stream.h"

#include <memory>

#include "format/tensor_specs.h"

namespace griffin {

Status stream_tensors(TensorSink& sink, const ChunkSource& source,
                      const StreamOptions& options) {
  const std::vector<TensorRecord>& tensors = sink.records();
  uint64_t total = 0;
  for (const TensorRecord& tensor : tensors) total += tensor.size;
  if (options.progress) options.progress->begin(tensors.size(), total);
  auto buffer = std::make_unique<uint8_t[]>(kStreamChunkElements * sizeof(float));
  for (size_t index = 0; index < tensors.size(); ++index) {
    const TensorRecord& tensor = tensors[index];
    if (options.progress) {
      options.progress->tensor_begin(index, tensor.name,
                                     shape_string(tensor.shape) + " " + dtype_name(tensor.dtype) +
                                         " " + human_bytes(tensor.size));
    }
    const uint64_t elements = static_cast<uint64_t>(element_count(tensor.shape));
    const size_t element_bytes = dtype_size(tensor.dtype);
    for (uint64_t first = 0; first < elements; first += kStreamChunkElements) {
      GRF_CHECK(!(options.cancel && *options.cancel), kIoError, "interrupted");
      const size_t count = static_cast<size_t>(
          elements - first < kStreamChunkElements ? elements - first : kStreamChunkElements);
      GRF_RETURN_IF_ERROR(source(index, first, count, buffer.get()));
      GRF_RETURN_IF_ERROR(sink.write_tensor_bytes(buffer.get(), count * element_bytes));
      if (options.progress) options.progress->advance(count * element_bytes);
    }
    GRF_RETURN_IF_ERROR(sink.end_tensor());
  }
  GRF_RETURN_IF_ERROR(sink.finish());
  if (options.progress) options.progress->finish();
  return Status::ok_status();
}

}  // namespace griffin
