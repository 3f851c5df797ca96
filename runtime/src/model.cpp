// Model loading: verification is done by GriffinFile; here every operator and small parameter
// array is prepared once (see model.h).
#include "runtime/src/model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <sys/mman.h>
#include <unistd.h>

#include "plan/memory_plan.h"
#include "runtime/src/batch_decode.h"
#include "runtime/src/xnn_memory.h"

namespace griffin {

namespace {

std::vector<float> to_f32(const TensorView& view) {
  std::vector<float> values(static_cast<size_t>(element_count(view.record->shape)));
  convert_elements(view.record->dtype, view.data, DType::kF32, values.data(), values.size());
  return values;
}

// RMSNorm multiplies by (1 + g) (docs/griffin-math.md §5); done once here.
std::vector<float> norm_scale(const TensorView& view) {
  std::vector<float> values = to_f32(view);
  for (float& value : values) value += 1.0f;
  return values;
}

float softplus(float x) {
  return x > 20.0f ? x : std::log1p(std::exp(x));
}

}  // namespace

Result<std::unique_ptr<Model>> Model::open(const std::string& path, const ModelOptions& options) {
  std::unique_ptr<Model> model(new Model());
  GRF_ASSIGN_OR_RETURN(model->file_, GriffinFile::open(path));
  Status status = model->prepare(options);
  if (!status.ok()) return status.with_context(path);
  return model;
}

Result<std::unique_ptr<Model>> Model::open(std::unique_ptr<GriffinFile> file,
                                           const ModelOptions& options) {
  std::unique_ptr<Model> model(new Model());
  model->file_ = std::move(file);
  Status status = model->prepare(options);
  if (!status.ok()) return status.with_context(model->file_->path());
  return model;
}

Model::~Model() {
  batch_.reset();
  layers_.clear();
  unembedding_ = Linear();
  if (threadpool_) pthreadpool_destroy(threadpool_);
}

uint64_t Model::prepared_bytes() const {
  uint64_t floats = final_norm_scale_.size() + rope_inv_freq_.size();
  uint64_t bytes = 0;
  for (const LayerWeights& w : layers_) {
    floats += w.temporal_norm_scale.size() + w.channel_norm_scale.size() + w.conv_taps.size() +
              w.conv_bias.size() + w.neg_c_softplus.size();
    for (const std::vector<Linear>* blocks : {&w.gate_r_blocks, &w.gate_i_blocks}) {
      for (const Linear& block : *blocks) bytes += block.prepared_bytes();
    }
  }
  return bytes + floats * sizeof(float);
}

int Model::num_threads() const {
  return static_cast<int>(pthreadpool_get_threads_count(threadpool_));
}

Status Model::prepare(const ModelOptions& options) {
  GRF_CHECK(options.num_threads >= 0 && options.num_threads <= 1024, kInvalidArgument,
            "num_threads %d out of range", options.num_threads);
  GRF_CHECK(options.max_batch >= 0 && options.max_batch <= 4096, kInvalidArgument,
            "max_batch %lld out of range [0, 4096]", (long long)options.max_batch);
  GRF_CHECK(options.activation_scale >= 0 && options.activation_scale <= 2, kInvalidArgument,
            "activation_scale %d is not GRIFFIN_ACTIVATION_SCALE_PER_GROUP (0), _PER_TOKEN (1) or "
            "_POWER_OF_TWO (2)",
            static_cast<int>(options.activation_scale));
  // GRIFFIN_MAX_ISA caps the kernels' ISA (e.g. "avx2" on an AVX-512 machine runs a Zen 3's
  // kernels): for measuring and checking another machine's code path on this one. Checked before
  // the weights are touched (prefault, lock_weights).
  std::optional<Isa> max_isa;
  if (const char* ceiling = std::getenv("GRIFFIN_MAX_ISA"); ceiling != nullptr && *ceiling) {
    Isa isa = Isa::kScalar;
    GRF_CHECK(parse_isa(ceiling, &isa), kInvalidArgument,
              "GRIFFIN_MAX_ISA=%s is not an ISA of this build: use one of %s", ceiling,
              isa_names_of_build());
    max_isa = isa;
  }
  plan_options_.int8_activations = options.int8_activations;
  plan_options_.max_batch = options.max_batch;
  plan_ = plan_model_memory(config(), file_dtypes(*file_), SessionOptions(), plan_options_);
  const ModelMemoryPlan& plan = plan_;
  GRF_CHECK(options.max_memory_bytes == 0 || plan.model_bytes() <= options.max_memory_bytes,
            kOutOfMemory,
            "the model needs %llu bytes (weights %llu mapped + %llu packed + %llu prepared), more "
            "than the allowed max_memory_bytes %llu",
            (unsigned long long)plan.model_bytes(), (unsigned long long)plan.weights_mapped,
            (unsigned long long)plan.weights_packed, (unsigned long long)plan.weights_prepared,
            (unsigned long long)options.max_memory_bytes);
  if (options.prefault || options.lock_weights) {
    // The tensors lie in one run of the file, in canonical order (GriffinFile checked them).
    const uint8_t* first = nullptr;
    const uint8_t* last = nullptr;
    for (const TensorView& view : file_->tensors()) {
      const uint8_t* begin = static_cast<const uint8_t*>(view.data);
      if (first == nullptr || begin < first) first = begin;
      if (last == nullptr || begin + view.record->size > last) last = begin + view.record->size;
    }
    GRF_RETURN_IF_ERROR(resident_.hold(first, static_cast<size_t>(last - first), options.prefault,
                                       options.lock_weights));
  }
  GRF_RETURN_IF_ERROR(ensure_xnnpack_initialized());
  const uint64_t xnnpack_before = xnn_memory_stats().current_bytes;
  threadpool_ = pthreadpool_create(static_cast<size_t>(options.num_threads));
  sleep_between_steps_ = options.sleep_between_steps;
  sleep_after_steps_of_ = options.sleep_after_steps_of;
  GRF_CHECK(threadpool_ != nullptr, kOutOfMemory, "cannot create a thread pool");
  const ModelConfig& c = config();
  kernels_ = select_kernels(options.force_scalar_kernels, options.int8_activations,
                            options.activation_scale == 1, options.activation_scale == 2, max_isa);
  // Quantized formats are for matrices; the small tensors must be floats.
  for (const TensorView& view : file_->tensors()) {
    const bool matrix = view.role == TensorRole::kMatrix || view.role == TensorRole::kEmbedding;
    GRF_CHECK(matrix || !is_quantized(view.record->dtype), kUnsupported,
              "tensor %s: %s storage is only supported for weight matrices",
              view.record->name.c_str(), dtype_name(view.record->dtype));
  }
  embedding_ = file_->find("model.embed_tokens.weight");
  if (is_quantized(embedding_->record->dtype)) {
    embedding_layout_ = quant_layout(embedding_->record->dtype, c.vocab_size, c.width);
  }
  GRF_ASSIGN_OR_RETURN(unembedding_, Linear::create(*embedding_, nullptr,
                                                    plan_.linear(embedding_->record->name).engine));
  final_norm_scale_ = norm_scale(*file_->find("model.final_norm.weight"));
  // ω_j = θ^(-2j/R) for the R rotated dims, computed in f32 as the official code does (§7.4).
  const int64_t rotary = c.rotary_dims();
  for (int64_t j = 0; j < rotary / 2; ++j) {
    rope_inv_freq_.push_back(
        1.0f / std::pow(c.rope_theta, static_cast<float>(2 * j) / static_cast<float>(rotary)));
  }
  // Every recurrent layer's gate blocks in one region, in the order a decode step reads them:
  // 2 · H blocks of b × b and their biases per layer.
  const size_t block = static_cast<size_t>(c.lru_width / c.num_heads);
  const size_t layer_gate_floats =
      2 * static_cast<size_t>(c.num_heads) * Linear::block_floats(block, block);
  const size_t recurrent_layers = static_cast<size_t>(
      std::count(c.block_types.begin(), c.block_types.end(), BlockType::kRecurrent));
  GRF_ASSIGN_OR_RETURN(gate_floats_,
                       StreamedFloats::allocate(recurrent_layers * layer_gate_floats));
  float* gate_region = gate_floats_.data();
  layers_.resize(static_cast<size_t>(c.depth));
  for (int64_t layer = 0; layer < c.depth; ++layer) {
    LayerWeights& w = layers_[static_cast<size_t>(layer)];
    GRF_RETURN_IF_ERROR(prepare_layer(layer, gate_region, &w));
    if (w.type == BlockType::kRecurrent) gate_region += layer_gate_floats;
  }
  xnnpack_bytes_ = xnn_memory_stats().current_bytes - xnnpack_before;
  if (options.repack_weights) GRF_RETURN_IF_ERROR(repack_matrices(options));
  if (options.max_batch > 0) {
    GRF_ASSIGN_OR_RETURN(batch_, BatchDecoder::create(*this));
  }
  const TokenizerInfo& tok = tokenizer_info();
  if (!tok.sentencepiece_model.empty()) {
    GRF_ASSIGN_OR_RETURN(tokenizer_, Tokenizer::load(tok.sentencepiece_model));
  }
  return Status::ok_status();
}

namespace {

// One matrix to repack, a block of kRepackRows rows per pool task (Model::repack_matrices).
struct RepackTask {
  RepackKernel repack;
  const Linear* map;
  uint8_t* packed;  // its repacked rows
};

void run_repack(void* context, size_t block) {
  const RepackTask* task = static_cast<const RepackTask*>(context);
  task->map->repack_blocks(task->repack, task->packed, block, 1);
}

}  // namespace

Status Model::repack_matrices(const ModelOptions& options) {
  // The kernel that reads a map's rows repacked, if any: int8 with int8 activations and int4
  // on AVX-512 VNNI (GemmVariant::repack).
  const auto repack_of = [&](const Linear& map) -> RepackKernel {
    if (map.engine() == LinearEngine::kInt4Dynamic) return kernels_.qs4.repack;
    if (map.engine() == LinearEngine::kInt8Dynamic && kernels_.int8_activations) {
      return kernels_.qs8.repack;
    }
    return nullptr;
  };
  std::vector<Linear*> maps;
  uint64_t bytes = 0;
  for (LayerWeights& w : layers_) {
    for (Linear* map : {&w.linear_y, &w.linear_x, &w.linear_out, &w.q_proj, &w.k_proj, &w.v_proj,
                        &w.o_proj, &w.mlp_gate, &w.mlp_up, &w.mlp_down}) {
      if (map->repack_rows() == 0 || repack_of(*map) == nullptr) continue;
      maps.push_back(map);
      bytes += map->repack_bytes();
    }
  }
  if (bytes == 0) return Status::ok_status();  // no kernel here reads repacked rows
  plan_.weights_repacked = bytes;
  GRF_CHECK(options.max_memory_bytes == 0 || plan_.model_bytes() <= options.max_memory_bytes,
            kOutOfMemory,
            "the model needs %llu bytes with its integer matrices repacked (%llu of them, "
            "repack_weights), more than the allowed max_memory_bytes %llu",
            (unsigned long long)plan_.model_bytes(), (unsigned long long)bytes,
            (unsigned long long)options.max_memory_bytes);
  // Whole groups of 32 rows (1 KB int8, 576 bytes int4): a multiple of sizeof(float).
  GRF_ASSIGN_OR_RETURN(repacked_, StreamedFloats::allocate(bytes / sizeof(float)));
  // The stored rows are no longer read once repacked: from a mapping (not locked) each matrix
  // gives its pages back right away, so the resident set never holds both copies of more than
  // one matrix (the pages stay in the page cache, which the OS may reclaim). Copies
  // (copy_weights, huge_pages) keep theirs.
  const bool give_back = file_->file_mapped() && !options.lock_weights;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uint8_t* packed = reinterpret_cast<uint8_t*>(repacked_.data());
  const auto give_back_pages = [&](const uint8_t* data, size_t size) {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(data), end = begin + size;
    const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  };
  for (Linear* map : maps) {
    RepackTask task{repack_of(*map), map, packed};
    pthreadpool_parallelize_1d(threadpool_, run_repack, &task, map->repack_rows() / kRepackRows, 0);
    map->use_repacked(packed);
    packed += map->repack_bytes();
    if (!give_back) continue;
    give_back_pages(map->weights(), map->repack_rows() * map->row_bytes());
    if (map->repacked_scales() != nullptr) {
      give_back_pages(map->repacked_scales(), map->repacked_scale_bytes());
    }
  }
  if (options.lock_weights) {
    GRF_RETURN_IF_ERROR(repacked_resident_.hold(repacked_.data(), bytes, false, true));
  }
  return Status::ok_status();
}

Status Model::prepare_layer(int64_t layer, float* gate_region, LayerWeights* w) {
  const ModelConfig& c = config();
  const std::string prefix = "model.layers." + std::to_string(layer) + ".";
  auto tensor = [&](const std::string& name) -> const TensorView& {
    return *file_->find(prefix + name);  // present: GriffinFile checked every name
  };
  auto linear = [&](const std::string& name, bool bias) {
    const TensorView& weight = tensor(name + ".weight");
    return Linear::create(weight, bias ? &tensor(name + ".bias") : nullptr,
                          plan_.linear(weight.record->name).engine);
  };
  w->type = c.block_types[static_cast<size_t>(layer)];
  w->temporal_norm_scale = norm_scale(tensor("temporal_pre_norm.weight"));
  w->channel_norm_scale = norm_scale(tensor("channel_pre_norm.weight"));
  GRF_ASSIGN_OR_RETURN(w->mlp_gate, linear("mlp_block.gate_proj", true));
  GRF_ASSIGN_OR_RETURN(w->mlp_up, linear("mlp_block.up_proj", true));
  GRF_ASSIGN_OR_RETURN(w->mlp_down, linear("mlp_block.down_proj", true));
  if (w->type != BlockType::kRecurrent) {
    GRF_ASSIGN_OR_RETURN(w->q_proj, linear("temporal_block.q_proj", false));
    GRF_ASSIGN_OR_RETURN(w->k_proj, linear("temporal_block.k_proj", false));
    GRF_ASSIGN_OR_RETURN(w->v_proj, linear("temporal_block.v_proj", false));
    GRF_ASSIGN_OR_RETURN(w->o_proj, linear("temporal_block.o_proj", true));
    return Status::ok_status();
  }
  GRF_ASSIGN_OR_RETURN(w->linear_y, linear("temporal_block.linear_y", true));
  GRF_ASSIGN_OR_RETURN(w->linear_x, linear("temporal_block.linear_x", true));
  GRF_ASSIGN_OR_RETURN(w->linear_out, linear("temporal_block.linear_out", true));
  const size_t width = static_cast<size_t>(c.lru_width);
  const size_t taps = static_cast<size_t>(c.conv1d_width);
  // conv_1d.weight [L, 1, K] -> [K, L].
  const std::vector<float> conv = to_f32(tensor("temporal_block.conv_1d.weight"));
  w->conv_taps.resize(taps * width);
  for (size_t channel = 0; channel < width; ++channel) {
    for (size_t k = 0; k < taps; ++k) w->conv_taps[k * width + channel] = conv[channel * taps + k];
  }
  w->conv_bias = to_f32(tensor("temporal_block.conv_1d.bias"));
  w->neg_c_softplus = to_f32(tensor("temporal_block.rg_lru.recurrent_param"));
  for (float& value : w->neg_c_softplus) value = -8.0f * softplus(value);  // c = 8 (§7.3)
  const size_t heads = static_cast<size_t>(c.num_heads);
  const size_t block = width / heads;
  // Head h's blocks side by side in the layer's part of the gate region, recurrence gate
  // first, as recurrent_block() runs them.
  const size_t block_floats = Linear::block_floats(block, block);
  for (const char* gate : {"recurrent_gate", "input_gate"}) {
    const std::vector<float> weight =
        to_f32(tensor(std::string("temporal_block.rg_lru.") + gate + "_weight"));
    const std::vector<float> bias =
        to_f32(tensor(std::string("temporal_block.rg_lru.") + gate + "_bias"));
    const bool recurrence = std::string(gate) == "recurrent_gate";
    std::vector<Linear>& blocks = recurrence ? w->gate_r_blocks : w->gate_i_blocks;
    for (size_t h = 0; h < heads; ++h) {
      float* storage = gate_region + (2 * h + (recurrence ? 0 : 1)) * block_floats;
      GRF_ASSIGN_OR_RETURN(Linear op, Linear::create_block(weight.data() + h * block * block,
                                                           bias.data() + h * block, block, block,
                                                           width, width, storage));
      blocks.push_back(std::move(op));
    }
  }
  return Status::ok_status();
}

}  // namespace griffin
