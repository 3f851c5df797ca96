// A linear map y = x·Wᵀ + b, run by the engine the memory plan chose for it
// (plan/memory_plan.h, LinearEngine):
//   kXnnpack      -> an XNNPACK fully-connected operator (created once at load; XNNPACK keeps a
//                    packed f32 copy of the f32/f16 weights). An operator binds its buffers at
//                    setup, so each one has a lock held across setup and run: sessions on
//                    several threads take turns per operator call, not per session call;
//   kF32          -> our f32-f32w-gemm kernels over f32 [in, out] rows copied at load (the
//                    RG-LRU gate blocks);
//   kBf16         -> our f32-bf16w-gemm kernels;
//   kInt8         -> our f32-qs8w-gemm kernels (f32 activations);
//   kInt8Dynamic  -> our qd8-qs8w-gemm kernels (activations quantized on the fly);
//   kInt4Dynamic  -> our qd8-qs4w-gemm kernels (activations quantized on the fly).
// Our kernels read the mapped file directly: no copy, no packing, the weights stay shared
// page cache. The exception is opt-in: with repack_weights, kInt8Dynamic and kInt4Dynamic maps
// whose kernel reads repacked rows (AVX-512 VNNI) are copied at load into its blocks
// (Model::repack_matrices).
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "format/griffin_file.h"
#include "format/quant.h"
#include "plan/memory_plan.h"
#include "runtime/src/kernels/dispatch.h"

namespace griffin {

// What a linear needs from the caller at run time.
struct LinearContext {
  pthreadpool_t pool = nullptr;
  const KernelTable* kernels = nullptr;
  int8_t* quantized = nullptr;           // [rows, padded_in] scratch for qd8 activations
  float* quantized_scales = nullptr;     // [rows, padded_in / 32]
  int32_t* quantized_offsets = nullptr;  // [rows, padded_in / 32]
  // Decoded tokens (Session::decode, a batch) and a prefill's last-token logits, else prefill:
  // int8 weights may run with int16 activations in either (GemmArgs::int16_decode,
  // int16_prefill).
  bool decode = false;
};

class Linear {
 public:
  Linear() = default;
  Linear(Linear&& other) noexcept;
  Linear& operator=(Linear&& other) noexcept;
  ~Linear();

  // weight [out, in] (PyTorch layout, or a quantized layout), bias [out] or null, run by
  // `engine` (the plan's choice for this weight).
  static Result<Linear> create(const TensorView& weight, const TensorView* bias,
                               LinearEngine engine);
  // One block of a block-diagonal map, on f32-f32w-gemm: `in`×`out` f32 laid out [in, out]
  // (the RG-LRU gates, docs/griffin-math.md §7.3), copied as they are, then the bias, into the
  // in·out + out floats at `storage` (the caller's, kept while the map is used), with row
  // strides of the activations and outputs in floats.
  static Result<Linear> create_block(const float* weight_in_out, const float* bias, size_t in,
                                     size_t out, size_t input_stride, size_t output_stride,
                                     float* storage);
  static size_t block_floats(size_t in, size_t out) { return out * in + out; }

  // y [rows, out] = x [rows, in] · Wᵀ + b. Safe to call from several threads at once (an
  // XNNPACK operator is locked for the call).
  Status run(size_t rows, const float* x, float* y, const LinearContext& context) const;
  // Several maps of the same input x [rows, in] as one pool call, x quantized once if they
  // quantize it: a layer's q, k and v projections, the MLP's gate and up, the recurrent block's
  // two branches. One task list over all their output rows end to end, where separate runs cost
  // a quantization and a pool call each (60 of each per 2B token). Each map gives the bits of its
  // own run(). Maps of different engines or inputs, and XNNPACK operators, run one by one.
  struct SharedInputCall {
    const Linear* map;
    float* y;  // [rows, map->out]
  };
  static constexpr size_t kMaxSharedInputCalls = 4;
  static Status run_shared_input(const SharedInputCall* calls, size_t count, size_t rows,
                                 const float* x, const LinearContext& context);
  // Several block maps (create_block, one output size) over the same rows as one pool call: the
  // RG-LRU gates of a layer are 2·H maps of a few hundred KB, and a pool call each cost 360
  // wake-ups of the pool per 2B token. Each map gives the bits of its own run().
  struct BlockCall {
    const Linear* map;
    const float* x;
    float* y;
  };
  static constexpr size_t kMaxBlockCalls = 64;
  static Status run_blocks(const BlockCall* calls, size_t count, size_t rows,
                           const LinearContext& context);
  // Bytes of the f32 copy made at load (kF32 blocks; 0 otherwise).
  size_t prepared_bytes() const { return prepared_floats_ * sizeof(float); }

  // Repacking at load (repack_weights, GemmArgs::w_packed): a kInt8Dynamic or kInt4Dynamic
  // map's first repack_rows() rows (whole blocks of kRepackRows), repack_bytes() bytes in all
  // (int4: with their scales; 0: none).
  size_t repack_rows() const {
    const bool integer =
        engine_ == LinearEngine::kInt8Dynamic || engine_ == LinearEngine::kInt4Dynamic;
    return integer ? out_ / kRepackRows * kRepackRows : 0;
  }
  size_t repack_bytes() const { return repack_rows() / kRepackRows * repack_block_bytes(); }
  LinearEngine engine() const { return engine_; }
  // Repacks blocks [first, first + count) of those rows with `repack` into `packed` (64-byte
  // aligned, repack_bytes()), so that a pool can share the work.
  void repack_blocks(RepackKernel repack, uint8_t* packed, size_t first, size_t count) const;
  // From now on the kernels read the repacked rows at `packed` (kept while the map is used).
  void use_repacked(const uint8_t* packed) { packed_ = packed; }
  const uint8_t* weights() const { return weights_; }  // the rows as stored (mapped)
  size_t row_bytes() const { return row_bytes_; }
  // The stored scales of the repacked rows (int4: f16 [repack_rows(), padded_in / 32], given back
  // with the rows once repacked; int8: null, its scale a row read as stored).
  const uint8_t* repacked_scales() const {
    return engine_ == LinearEngine::kInt4Dynamic ? scales_ : nullptr;
  }
  size_t repacked_scale_bytes() const {
    return repacked_scales() != nullptr ? repack_rows() * (padded_in() / 32) * sizeof(uint16_t) : 0;
  }

 private:
  static Result<Linear> make_xnnpack(const float* weight, const float* bias, size_t in, size_t out,
                                     size_t input_stride, size_t output_stride, uint32_t flags,
                                     const std::string& name);

  GemmArgs gemm_args(size_t rows, const float* x, float* y, const LinearContext& context) const;
  size_t padded_in() const {
    return static_cast<size_t>(padded_columns(static_cast<int64_t>(in_)));
  }
  // One repacked block of kRepackRows rows (int4: with their scales).
  size_t repack_block_bytes() const {
    const size_t group_bytes =
        engine_ == LinearEngine::kInt4Dynamic ? kRepackInt4GroupBytes : kRepackGroupBytes;
    return padded_in() / 32 * group_bytes;
  }
  GemmKernel kernel_for(const LinearContext& context) const;
  // run() and run_shared_input() of maps (1..kMaxSharedInputCalls) of our kernels with one
  // engine and input: x quantized once if they quantize it, then one pool call over their rows.
  static Status run_together(const SharedInputCall* calls, size_t count, size_t rows,
                             const float* x, const LinearContext& context);
  // Quantizes x into the context's scratch for `args` when this map's engine takes int8
  // activations (else does nothing).
  Status quantize_input(size_t rows, const float* x, GemmArgs* args,
                        const LinearContext& context) const;

  bool created_ = false;
  LinearEngine engine_ = LinearEngine::kXnnpack;
  xnn_operator_t op_ = nullptr;
  size_t in_ = 0;
  size_t out_ = 0;
  const uint8_t* weights_ = nullptr;  // mapped rows (bf16 / int8 / int4)
  const uint8_t* scales_ = nullptr;   // mapped scales (int8 / int4)
  size_t row_bytes_ = 0;
  const float* bias_ = nullptr;      // mapped f32 bias or null
  size_t input_stride_ = 0;          // floats between activation rows (in_ unless a block)
  size_t output_stride_ = 0;         // floats between output rows (out_ unless a block)
  size_t prepared_floats_ = 0;       // kF32: [out, in] weights, then [out] bias, at weights_
  const uint8_t* packed_ = nullptr;  // repack_rows() rows repacked at load, or null
  std::unique_ptr<std::mutex> operator_lock_;  // kXnnpack: setup binds buffers to the operator
};

// Starts XNNPACK once per process, on the counting allocator.
Status ensure_xnnpack_initialized();

}  // namespace griffin
