// Quantized layouts and the reference (de)quantization (see quant.h).
#include "format/quant.h"

#include <cmath>
#include <cstring>

namespace griffin {

bool is_quantized(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kInt4; }

int64_t padded_columns(int64_t columns) {
  return (columns + kQuantGroup - 1) / kQuantGroup * kQuantGroup;
}

QuantLayout quant_layout(DType dtype, int64_t rows, int64_t columns) {
  QuantLayout layout;
  layout.rows = rows;
  layout.columns = columns;
  layout.padded_columns = padded_columns(columns);
  const uint64_t n = static_cast<uint64_t>(rows), kp = static_cast<uint64_t>(layout.padded_columns);
  if (dtype == DType::kInt8) {
    layout.row_bytes = kp;
    layout.scales_bytes = n * sizeof(float);
  } else {
    layout.row_bytes = kp / 2;
    layout.scales_bytes = n * (kp / kQuantGroup) * sizeof(uint16_t);
  }
  layout.data_bytes = n * layout.row_bytes;
  layout.scales_offset = (layout.data_bytes + 63) / 64 * 64;
  layout.total_bytes = layout.scales_offset + layout.scales_bytes;
  return layout;
}

uint64_t tensor_bytes(const std::vector<int64_t>& shape, DType dtype) {
  if (is_quantized(dtype)) {
    if (shape.size() != 2) return 0;
    return quant_layout(dtype, shape[0], shape[1]).total_bytes;
  }
  uint64_t count = 1;
  for (int64_t dim : shape) count *= static_cast<uint64_t>(dim);
  return count * dtype_size(dtype);
}

void quantize_row_int8(const float* row, int64_t columns, int8_t* values, float* scale) {
  float amax = 0.0f;
  for (int64_t k = 0; k < columns; ++k) amax = std::fmax(amax, std::fabs(row[k]));
  const float step = amax / 127.0f;
  const float inverse = step > 0.0f ? 1.0f / step : 0.0f;
  for (int64_t k = 0; k < columns; ++k) {
    const float q = std::nearbyint(row[k] * inverse);
    values[k] = static_cast<int8_t>(std::fmax(-127.0f, std::fmin(127.0f, q)));
  }
  std::memset(values + columns, 0, static_cast<size_t>(padded_columns(columns) - columns));
  *scale = step;
}

void quantize_row_int4(const float* row, int64_t columns, uint8_t* values, uint16_t* scales) {
  const int64_t padded = padded_columns(columns);
  for (int64_t group = 0; group < padded / kQuantGroup; ++group) {
    float block[kQuantGroup] = {};
    for (int64_t j = 0; j < kQuantGroup; ++j) {
      const int64_t k = group * kQuantGroup + j;
      block[j] = k < columns ? row[k] : 0.0f;
    }
    // The value of largest magnitude maps to -8, so one side of the range gets the extra level.
    float extreme = 0.0f;
    for (float value : block) extreme = std::fabs(value) > std::fabs(extreme) ? value : extreme;
    const uint16_t scale_bits = f16_from_f32(extreme / -8.0f);
    const float step = f32_from_f16(scale_bits);
    const float inverse = step != 0.0f ? 1.0f / step : 0.0f;
    uint8_t* out = values + group * (kQuantGroup / 2);
    for (int64_t j = 0; j < kQuantGroup / 2; ++j) {
      auto level = [&](float value) {
        const float q = std::nearbyint(value * inverse);
        return static_cast<uint8_t>(std::fmax(-8.0f, std::fmin(7.0f, q)) + 8.0f);
      };
      out[j] = static_cast<uint8_t>(level(block[j]) | level(block[j + kQuantGroup / 2]) << 4);
    }
    scales[group] = scale_bits;
  }
}

void dequantize_row(DType dtype, const uint8_t* tensor, const QuantLayout& layout, int64_t row,
                    float* out) {
  const uint8_t* values = tensor + static_cast<uint64_t>(row) * layout.row_bytes;
  if (dtype == DType::kInt8) {
    float scale;
    std::memcpy(&scale, tensor + layout.scales_offset + static_cast<uint64_t>(row) * 4, 4);
    for (int64_t k = 0; k < layout.columns; ++k) {
      out[k] = scale * static_cast<float>(static_cast<int8_t>(values[k]));
    }
    return;
  }
  const int64_t groups = layout.padded_columns / kQuantGroup;
  const uint8_t* scales = tensor + layout.scales_offset + static_cast<uint64_t>(row * groups) * 2;
  for (int64_t k = 0; k < layout.columns; ++k) {
    const int64_t group = k / kQuantGroup, j = k % kQuantGroup;
    uint16_t bits;
    std::memcpy(&bits, scales + group * 2, 2);
    const uint8_t byte = values[group * (kQuantGroup / 2) + j % (kQuantGroup / 2)];
    const int level = (j < kQuantGroup / 2 ? byte & 0x0f : byte >> 4) - 8;
    out[k] = f32_from_f16(bits) * static_cast<float>(level);
  }
}

}  // namespace griffin
