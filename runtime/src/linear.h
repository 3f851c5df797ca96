// A dense linear map y = x·Wᵀ + b run by an XNNPACK fully-connected operator. The operator is
// created once at model load (XNNPACK packs the weights into its own buffer then) and run for
// any number of rows. Weights stored as bf16/f16 are widened to f32 for packing.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstddef>
#include <string>

#include "format/griffin_file.h"

namespace griffin {

class Linear {
 public:
  Linear() = default;
  Linear(Linear&& other) noexcept;
  Linear& operator=(Linear&& other) noexcept;
  ~Linear();

  // weight [out, in] (PyTorch layout), bias [out] or null. Strides are in floats (0 = dense).
  static Result<Linear> create(const TensorView& weight, const TensorView* bias,
                               size_t input_stride = 0, size_t output_stride = 0);
  // A block of a block-diagonal map: weight is `in`×`out` floats laid out [in, out] starting at
  // `weight`, bias `out` floats (the RG-LRU gates, griffin-math.md §7.3).
  static Result<Linear> create_block(const float* weight_in_out, const float* bias, size_t in,
                                     size_t out, size_t input_stride, size_t output_stride);

  size_t in() const { return in_; }
  size_t out() const { return out_; }
  // y [rows, out] = x [rows, in] · Wᵀ + b. Not reentrant: one caller at a time per operator.
  Status run(size_t rows, const float* x, float* y, pthreadpool_t pool) const;

 private:
  Linear(xnn_operator_t op, size_t in, size_t out) : op_(op), in_(in), out_(out) {}
  static Result<Linear> make(const float* weight, const float* bias, size_t in, size_t out,
                             size_t input_stride, size_t output_stride, uint32_t flags,
                             const std::string& name);

  xnn_operator_t op_ = nullptr;
  size_t in_ = 0;
  size_t out_ = 0;
};

// Starts XNNPACK once per process.
Status ensure_xnnpack_initialized();

}  // namespace griffin
