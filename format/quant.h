// Weight-only quantized tensor layouts (int8 per row, int4 in groups of 32) and the exact byte
// layout the kernels read straight from the mapped file (docs/file-format.md):
//
//   int8  [N, K]: N rows of Kp = round_up(K, 32) int8 values (zero padding), then, at the next
//                 64-byte boundary, N f32 scales. w[n, k] = scale[n] * q[n, k].
//   int4  [N, K]: N rows of Kp / 2 bytes: each group of 32 values takes 16 bytes, byte j holding
//                 value j in its low nibble and value j + 16 in its high nibble, stored as
//                 q + 8 (q in [-8, 7]); then, at the next 64-byte boundary, N x Kp/32 f16 scales
//                 (row-major). w[n, 32g + j] = scale[n, g] * q[n, g, j].
//
// Symmetric quantization, round to nearest. These formats are only for 2-D weight matrices.
#pragma once

#include <cstdint>
#include <vector>

#include "format/dtype.h"

namespace griffin {

constexpr int64_t kQuantGroup = 32;

bool is_quantized(DType dtype);
int64_t padded_columns(int64_t columns);  // round_up(columns, 32)

struct QuantLayout {
  int64_t rows = 0;
  int64_t columns = 0;         // K
  int64_t padded_columns = 0;  // Kp
  uint64_t row_bytes = 0;      // bytes of one row of values
  uint64_t data_bytes = 0;     // rows * row_bytes
  uint64_t scales_offset = 0;  // from the start of the tensor, 64-byte aligned
  uint64_t scales_bytes = 0;
  uint64_t total_bytes = 0;
};

QuantLayout quant_layout(DType dtype, int64_t rows, int64_t columns);

// Bytes a tensor of `shape` takes in `dtype` (quantized dtypes need a 2-D shape).
uint64_t tensor_bytes(const std::vector<int64_t>& shape, DType dtype);

// Quantizes one row of K floats: int8 writes Kp bytes and one f32 scale; int4 writes Kp/2 bytes
// and Kp/32 f16 scales.
void quantize_row_int8(const float* row, int64_t columns, int8_t* values, float* scale);
void quantize_row_int4(const float* row, int64_t columns, uint8_t* values, uint16_t* scales);

// Row n of a quantized tensor (the whole tensor's bytes at `tensor`) as K floats.
void dequantize_row(DType dtype, const uint8_t* tensor, const QuantLayout& layout, int64_t row,
                    float* out);

}  // namespace griffin
