// A loaded model: the mapped .griffin file, its config, and everything prepared once at load
// (XNNPACK operators with packed weights, small f32 parameter arrays, RoPE frequencies, the
// tokenizer, the thread pool). Immutable after load and shared by sessions (docs/memory.md).
#pragma once

#include <pthreadpool.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "format/griffin_file.h"
#include "plan/memory_plan.h"
#include "runtime/src/linear.h"
#include "runtime/src/parallel-for.h"
#include "runtime/src/resident_weights.h"
#include "runtime/src/streamed_floats.h"
#include "runtime/src/text/tokenizer.h"

namespace griffin {

struct LayerWeights {
  BlockType type;
  std::vector<float> temporal_norm_scale;  // 1 + g, [D]
  std::vector<float> channel_norm_scale;   // 1 + g, [D]
  // Recurrent block (§7.1-§7.3).
  Linear linear_y, linear_x, linear_out;
  std::vector<float> conv_taps;       // [K, L]: tap-major so the inner loop runs over channels
  std::vector<float> conv_bias;       // [L]
  std::vector<float> neg_c_softplus;  // -8·softplus(Λ'), [L]
  std::vector<Linear> gate_r_blocks;  // H blocks of the recurrence gate
  std::vector<Linear> gate_i_blocks;  // H blocks of the input gate
  // Attention block (§7.4).
  Linear q_proj, k_proj, v_proj, o_proj;
  // Gated MLP (§6).
  Linear mlp_gate, mlp_up, mlp_down;
};

struct ModelOptions {
  int num_threads = 0;                // 0 = one per core
  uint64_t max_memory_bytes = 0;      // 0 = no limit on the planned model bytes
  bool force_scalar_kernels = false;  // debugging: the scalar definitions instead of SIMD
  bool int8_activations = false;      // int8 weights: quantize activations too (int8 dot products)
  // Quantized activations (int4 weights, int8 with int8_activations): 0 = a scale per group of
  // 32 (GRIFFIN_ACTIVATION_SCALE_PER_GROUP), 1 = one per token (..._PER_TOKEN), 2 = a power of
  // two per group (..._POWER_OF_TWO).
  int32_t activation_scale = 0;
  bool prefault = false;             // read every weight page in at open (resident_weights.h)
  bool lock_weights = false;         // mlock the weights until the model closes
  int64_t max_batch = 0;             // largest batch decode (its arena is made at open); 0 = none
  bool sleep_between_steps = false;  // the pool's workers sleep after each long step
  // int4 matrices, and int8 ones run with int8 activations, are repacked at load where the
  // kernel can read them so (GemmArgs::w_packed: AVX-512 VNNI); elsewhere nothing happens.
  bool repack_weights = false;
  // The shortest step after which they do (tests set 0 to make every step count as long).
  std::chrono::nanoseconds sleep_after_steps_of = WorkersSleepAfter::kLongStep;
};

class BatchDecoder;

class Model {
 public:
  static Result<std::unique_ptr<Model>> open(const std::string& path, const ModelOptions& options);
  // The same for a file opened another way (GriffinFile::open_fd, open_buffer).
  static Result<std::unique_ptr<Model>> open(std::unique_ptr<GriffinFile> file,
                                             const ModelOptions& options);
  ~Model();

  const ModelConfig& config() const { return file_->config(); }
  const GriffinFile& file() const { return *file_; }
  const std::vector<LayerWeights>& layers() const { return layers_; }
  const TensorView& embedding() const { return *embedding_; }
  const Linear& unembedding() const { return unembedding_; }
  const QuantLayout& embedding_layout() const { return embedding_layout_; }  // int8/int4 only
  const KernelTable& kernels() const { return kernels_; }
  // The plan made at load (with default session options): each linear's engine, the packed
  // bytes and the quantization scratch width that sessions plan with.
  const ModelMemoryPlan& plan() const { return plan_; }
  const PlanOptions& plan_options() const { return plan_options_; }
  const std::vector<float>& final_norm_scale() const { return final_norm_scale_; }
  const std::vector<float>& rope_inv_freq() const { return rope_inv_freq_; }
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }
  const TokenizerInfo& tokenizer_info() const { return file_->header().tokenizer; }
  pthreadpool_t threadpool() const { return threadpool_; }
  // The pool whose workers are to sleep after each step (sleep_between_steps), else null.
  pthreadpool_t pool_to_rest() const { return sleep_between_steps_ ? threadpool_ : nullptr; }
  // Held for a prefill, decode or batch step: lets that pool's workers sleep at its end when
  // the step was long enough (a no-op without sleep_between_steps).
  WorkersSleepAfter rest_workers_after_step() const {
    return WorkersSleepAfter(pool_to_rest(), sleep_after_steps_of_);
  }
  int num_threads() const;
  // Bytes XNNPACK allocated while this model loaded (its packed weights and operators).
  uint64_t xnnpack_bytes() const { return xnnpack_bytes_; }
  // Bytes of the f32 arrays made at load (what the plan counts as weights_prepared).
  uint64_t prepared_bytes() const;
  // The batch decoder over the model's batch arena; null when opened without max_batch. One
  // batch at a time (it locks), so it is handed out from a const model.
  BatchDecoder* batch_decoder() const { return batch_.get(); }
  // Bytes of the gate blocks in huge pages (StreamedFloats::huge_page_bytes).
  size_t gate_huge_page_bytes() const { return gate_floats_.huge_page_bytes(); }
  const float* gate_floats() const { return gate_floats_.data(); }
  // Bytes of weights pinned by lock_weights (whole pages; 0 without it).
  size_t locked_bytes() const {
    return resident_.locked_bytes() + repacked_resident_.locked_bytes();
  }
  // Bytes of the matrices repacked at load (repack_weights; 0 when nothing was).
  uint64_t repacked_bytes() const { return plan_.weights_repacked; }

 private:
  Model() = default;
  Status prepare(const ModelOptions& options);
  // `gate_region`: where a recurrent layer puts its gate blocks (gate_floats_).
  Status prepare_layer(int64_t layer, float* gate_region, LayerWeights* weights);
  // repack_weights: the int8 and int4 matrices the kernel can read repacked, copied so once.
  Status repack_matrices(const ModelOptions& options);

  std::unique_ptr<GriffinFile> file_;
  ResidentWeights resident_;           // after file_: unlocked before the file is unmapped
  StreamedFloats gate_floats_;         // every layer's gate blocks (streamed_floats.h)
  StreamedFloats repacked_;            // the matrices repacked at load (repack_weights), as bytes
  ResidentWeights repacked_resident_;  // after repacked_: unlocked before it is freed
  std::vector<LayerWeights> layers_;
  const TensorView* embedding_ = nullptr;
  QuantLayout embedding_layout_;
  Linear unembedding_;
  KernelTable kernels_;
  PlanOptions plan_options_;
  ModelMemoryPlan plan_;
  std::vector<float> final_norm_scale_;
  std::vector<float> rope_inv_freq_;
  std::unique_ptr<Tokenizer> tokenizer_;
  pthreadpool_t threadpool_ = nullptr;
  bool sleep_between_steps_ = false;
  std::chrono::nanoseconds sleep_after_steps_of_ = WorkersSleepAfter::kLongStep;
  uint64_t xnnpack_bytes_ = 0;
  std::unique_ptr<BatchDecoder> batch_;
};

}  // namespace griffin
