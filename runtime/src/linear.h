// A linear map y = x·Wᵀ + b, run by whichever engine suits the weights' stored dtype:
//   f32, f16   -> an XNNPACK fully-connected operator (created once at load; XNNPACK keeps a
//                 packed f32 copy of the weights);
//   bf16       -> our f32-bf16w-gemm kernels, reading the mapped file directly;
//   int8       -> our f32-qs8w kernels (f32 activations), or with the model option
//                 int8_activations our qd8-qs8w kernels (activations quantized on the fly);
//   int4       -> our qd8-qs4w kernels (activations quantized on the fly).
// Our kernels read the mapped file directly: no copy, no packing, the weights stay shared
// page cache.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstddef>
#include <string>

#include "format/griffin_file.h"
#include "format/quant.h"
#include "runtime/src/kernels/dispatch.h"

namespace griffin {

// What a linear needs from the caller at run time.
struct LinearContext {
  pthreadpool_t pool = nullptr;
  const KernelTable* kernels = nullptr;
  int8_t* quantized = nullptr;        // [rows, padded_in] scratch for qd8 activations
  float* quantized_scales = nullptr;  // [rows, padded_in / 32]
};

class Linear {
 public:
  enum class Kind { kNone, kXnnpack, kBf16, kInt8, kInt4 };

  Linear() = default;
  Linear(Linear&& other) noexcept;
  Linear& operator=(Linear&& other) noexcept;
  ~Linear();

  // weight [out, in] (PyTorch layout, or a quantized layout), bias [out] or null.
  static Result<Linear> create(const TensorView& weight, const TensorView* bias);
  // One block of a block-diagonal map, always on XNNPACK: `in`×`out` f32 laid out [in, out]
  // (the RG-LRU gates, docs/griffin-math.md §7.3), with row strides in floats.
  static Result<Linear> create_block(const float* weight_in_out, const float* bias, size_t in,
                                     size_t out, size_t input_stride, size_t output_stride);

  Kind kind() const { return kind_; }
  size_t in() const { return in_; }
  size_t out() const { return out_; }
  size_t padded_in() const {
    return static_cast<size_t>(padded_columns(static_cast<int64_t>(in_)));
  }
  // y [rows, out] = x [rows, in] · Wᵀ + b. Not reentrant for XNNPACK operators.
  Status run(size_t rows, const float* x, float* y, const LinearContext& context) const;

 private:
  static Result<Linear> make_xnnpack(const float* weight, const float* bias, size_t in, size_t out,
                                     size_t input_stride, size_t output_stride, uint32_t flags,
                                     const std::string& name);

  Kind kind_ = Kind::kNone;
  xnn_operator_t op_ = nullptr;
  size_t in_ = 0;
  size_t out_ = 0;
  const uint8_t* weights_ = nullptr;  // mapped rows (bf16 / int8 / int4)
  const uint8_t* scales_ = nullptr;   // mapped scales (int8 / int4)
  size_t row_bytes_ = 0;
  const float* bias_ = nullptr;  // mapped f32 bias or null
};

// Starts XNNPACK once per process, on the counting allocator.
Status ensure_xnnpack_initialized();

}  // namespace griffin
