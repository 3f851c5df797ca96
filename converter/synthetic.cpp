// Synthetic weight generation (see synthetic.h).
#include "converter/synthetic.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "converter/convert.h"
#include "converter/hf_config.h"
#include "format/griffin_writer.h"
#include "converter/safetensors_writer.h"
#include "format/quant.h"
#include "format/tensor_specs.h"

namespace griffin {

namespace {

// splitmix64: a tiny, well-mixed generator; one independent stream per tensor.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform(float low, float high) {  // [low, high)
    return low + (high - low) * static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
  }

 private:
  uint64_t state_;
};

uint64_t hash_name(const std::string& name) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// Uniform bounds per role: linear maps get std 1/sqrt(fan_in) (bound sqrt(3/fan_in)); Λ' is
// drawn so the RG-LRU base decay a = exp(-softplus(Λ')) lies in [0.9, 0.999]
// (docs/griffin-math.md §7.3).
void role_bounds(const TensorSpec& spec, float* low, float* high) {
  const float bound = spec.fan_in > 0 ? std::sqrt(3.0f / static_cast<float>(spec.fan_in)) : 0.0f;
  switch (spec.role) {
    case TensorRole::kEmbedding:
    case TensorRole::kMatrix:
    case TensorRole::kGateWeight:
    case TensorRole::kConvWeight: *low = -bound, *high = bound; return;
    case TensorRole::kNormScale: *low = -0.1f, *high = 0.1f; return;
    case TensorRole::kBias:
    case TensorRole::kConvBias:
    case TensorRole::kGateBias: *low = -0.02f, *high = 0.02f; return;
    case TensorRole::kRecurrentParam: *low = -6.9f, *high = -2.2f; return;
  }
}

// Streams the weights of one tensor after another, in order, as float32 converted to the
// requested dtype.
class SyntheticSource {
 public:
  SyntheticSource(const std::vector<TensorSpec>& specs, uint64_t seed)
      : specs_(specs), seed_(seed), generator_(0) {}

  void fill(size_t index, uint64_t first, size_t count, float* out) {
    if (index != current_ || first == 0) {
      current_ = index;
      generator_ = SplitMix64(seed_ ^ hash_name(specs_[index].name));
      role_bounds(specs_[index], &low_, &high_);
    }
    for (size_t i = 0; i < count; ++i) out[i] = generator_.uniform(low_, high_);
  }

 private:
  const std::vector<TensorSpec>& specs_;
  uint64_t seed_;
  SplitMix64 generator_;
  size_t current_ = SIZE_MAX;
  float low_ = 0, high_ = 0;
};

}  // namespace

Status write_synthetic_griffin(const ModelConfig& config, const std::string& output_path,
                               const SyntheticOptions& options) {
  GRF_RETURN_IF_ERROR(validate_config(config));
  const std::vector<TensorSpec> specs = expected_tensors(config);
  FileHeader header;
  header.config = config;
  header.metadata.source = options.source + " (synthetic, seed " + std::to_string(options.seed) + ")";
  header.metadata.converter_version = kConverterVersion;
  const DType embed_dtype = options.embed_dtype.value_or(options.weight_dtype);
  header.metadata.dtype_recipe = dtype_recipe(options.weight_dtype, embed_dtype);
  header.metadata.created_by = options.created_by;
  for (const TensorSpec& spec : specs) {
    TensorRecord record{spec.name, spec.shape,
                        storage_dtype(spec.role, options.weight_dtype, embed_dtype), 0, 0};
    record.size = tensor_bytes(spec.shape, record.dtype);
    header.tensors.push_back(std::move(record));
  }
  GRF_ASSIGN_OR_RETURN(auto writer, GriffinFileWriter::create(output_path, std::move(header)));
  SyntheticSource generator(specs, options.seed);
  return stream_tensors(
      *writer,
      [&](size_t index, uint64_t first, size_t count, float* out) {
        generator.fill(index, first, count, out);
        return Status::ok_status();
      },
      options.stream);
}

Status write_synthetic_checkpoint(const ModelConfig& config, const std::string& directory,
                                  const SyntheticOptions& options) {
  GRF_RETURN_IF_ERROR(validate_config(config));
  GRF_CHECK(mkdir(directory.c_str(), 0777) == 0 || errno == EEXIST, kIoError,
            "cannot create directory %s: %s", directory.c_str(), std::strerror(errno));
  const std::vector<TensorSpec> specs = expected_tensors(config);
  GRF_CHECK(!is_quantized(options.weight_dtype) &&
                !is_quantized(options.embed_dtype.value_or(options.weight_dtype)),
            kInvalidArgument, "a Hugging Face checkpoint holds f32, f16 or bf16 tensors only");
  std::vector<TensorRecord> records;
  for (const TensorSpec& spec : specs) {
    records.push_back({spec.name, spec.shape,
                       storage_dtype(spec.role, options.weight_dtype, options.weight_dtype), 0, 0});
  }
  GRF_ASSIGN_OR_RETURN(auto writer,
                       SafetensorsWriter::create(directory + "/model.safetensors", records));
  SyntheticSource generator(specs, options.seed);
  GRF_RETURN_IF_ERROR(stream_tensors(
      *writer,
      [&](size_t index, uint64_t first, size_t count, float* out) {
        generator.fill(index, first, count, out);
        return Status::ok_status();
      },
      options.stream));
  const std::string config_text = make_hf_config(config).dump(2) + "\n";
  GRF_ASSIGN_OR_RETURN(auto config_file, AtomicOutputFile::create(directory + "/config.json"));
  GRF_RETURN_IF_ERROR(config_file->write(config_text.data(), config_text.size()));
  return config_file->commit();
}

Result<ModelConfig> config_from_hf_json(const nlohmann::json& json) {
  // Shapes the checkpoint would have, read back from the config's own fields.
  auto field = [&](const char* key, int64_t fallback) {
    return json.contains(key) && json[key].is_number_integer() ? json[key].get<int64_t>()
                                                               : fallback;
  };
  const int64_t width = field("hidden_size", 0);
  const int64_t heads = field("num_attention_heads", 1);
  const int64_t head_dim = field("head_dim", heads > 0 ? width / heads : 0);
  auto shapes = [&](const std::string& name) -> std::vector<int64_t> {
    if (name == "model.embed_tokens.weight") return {field("vocab_size", 0), width};
    if (name.find("gate_proj") != std::string::npos)
      return {field("intermediate_size", 0) / 2, width};
    if (name.find("k_proj") != std::string::npos)
      return {field("num_key_value_heads", 1) * head_dim, width};
    return {};
  };
  GRF_ASSIGN_OR_RETURN(HfModelSettings settings, parse_hf_config(json, shapes));
  return settings.config;
}

}  // namespace griffin
