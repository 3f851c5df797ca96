// Chunked tensor writing, with quantization (see tensor_stream.h).
#include "converter/tensor_stream.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "format/quant.h"
#include "format/tensor_specs.h"

namespace griffin {

namespace {

struct StreamContext {
  TensorSink& sink;
  const ChunkSource& source;
  const StreamOptions& options;
  std::vector<float> values;    // one chunk of source values
  std::vector<uint8_t> output;  // the same chunk in the tensor's dtype

  Status write(const void* bytes, size_t count) {
    GRF_RETURN_IF_ERROR(sink.write_tensor_bytes(bytes, count));
    if (options.progress) options.progress->advance(count);
    return Status::ok_status();
  }
  Status check_cancel() const {
    GRF_CHECK(!(options.cancel && *options.cancel), kIoError, "interrupted");
    return Status::ok_status();
  }
};

Status stream_float_tensor(StreamContext& c, size_t index, const TensorRecord& tensor) {
  const uint64_t elements = static_cast<uint64_t>(element_count(tensor.shape));
  const size_t element_bytes = dtype_size(tensor.dtype);
  for (uint64_t first = 0; first < elements; first += kStreamChunkElements) {
    GRF_RETURN_IF_ERROR(c.check_cancel());
    const size_t count = static_cast<size_t>(std::min<uint64_t>(elements - first, kStreamChunkElements));
    GRF_RETURN_IF_ERROR(c.source(index, first, count, c.values.data()));
    convert_elements(DType::kF32, c.values.data(), tensor.dtype, c.output.data(), count);
    GRF_RETURN_IF_ERROR(c.write(c.output.data(), count * element_bytes));
  }
  return Status::ok_status();
}

// Whole rows per chunk: quantize, write the values, keep the scales for the end.
Status stream_quantized_tensor(StreamContext& c, size_t index, const TensorRecord& tensor) {
  const QuantLayout layout = quant_layout(tensor.dtype, tensor.shape[0], tensor.shape[1]);
  const size_t columns = static_cast<size_t>(layout.columns);
  const size_t rows_per_chunk = std::max<size_t>(1, kStreamChunkElements / columns);
  const size_t scale_bytes_per_row = layout.scales_bytes / static_cast<uint64_t>(layout.rows);
  std::vector<uint8_t> scales(layout.scales_bytes);
  c.values.resize(std::max(c.values.size(), rows_per_chunk * columns));
  c.output.resize(std::max<size_t>(c.output.size(), rows_per_chunk * layout.row_bytes));
  for (int64_t row = 0; row < layout.rows; row += static_cast<int64_t>(rows_per_chunk)) {
    GRF_RETURN_IF_ERROR(c.check_cancel());
    const size_t rows = std::min<size_t>(rows_per_chunk, static_cast<size_t>(layout.rows - row));
    GRF_RETURN_IF_ERROR(c.source(index, static_cast<uint64_t>(row) * columns, rows * columns,
                                 c.values.data()));
    for (size_t r = 0; r < rows; ++r) {
      uint8_t* out = c.output.data() + r * layout.row_bytes;
      uint8_t* scale = scales.data() + (static_cast<size_t>(row) + r) * scale_bytes_per_row;
      const float* in = c.values.data() + r * columns;
      if (tensor.dtype == DType::kInt8) {
        quantize_row_int8(in, layout.columns, reinterpret_cast<int8_t*>(out),
                          reinterpret_cast<float*>(scale));
      } else {
        quantize_row_int4(in, layout.columns, out, reinterpret_cast<uint16_t*>(scale));
      }
    }
    GRF_RETURN_IF_ERROR(c.write(c.output.data(), rows * layout.row_bytes));
  }
  static const uint8_t kZeros[64] = {};
  GRF_RETURN_IF_ERROR(c.write(kZeros, layout.scales_offset - layout.data_bytes));
  return c.write(scales.data(), scales.size());
}

}  // namespace

Status stream_tensors(TensorSink& sink, const ChunkSource& source, const StreamOptions& options) {
  const std::vector<TensorRecord>& tensors = sink.records();
  uint64_t total = 0;
  for (const TensorRecord& tensor : tensors) total += tensor.size;
  if (options.progress) options.progress->begin(tensors.size(), total);
  StreamContext context{sink, source, options, std::vector<float>(kStreamChunkElements),
                        std::vector<uint8_t>(kStreamChunkElements * sizeof(float))};
  for (size_t index = 0; index < tensors.size(); ++index) {
    const TensorRecord& tensor = tensors[index];
    if (options.progress) {
      options.progress->tensor_begin(index, tensor.name,
                                     shape_string(tensor.shape) + " " + dtype_name(tensor.dtype) +
                                         " " + human_bytes(tensor.size));
    }
    GRF_RETURN_IF_ERROR(is_quantized(tensor.dtype) ? stream_quantized_tensor(context, index, tensor)
                                                   : stream_float_tensor(context, index, tensor));
    GRF_RETURN_IF_ERROR(sink.end_tensor());
  }
  GRF_RETURN_IF_ERROR(sink.finish());
  if (options.progress) options.progress->finish();
  return Status::ok_status();
}

}  // namespace griffin
