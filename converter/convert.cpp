// Checkpoint conversion (see convert.h).
#include "converter/convert.h"

#include <sentencepiece_processor.h>

#include <set>

#include "converter/checkpoint.h"
#include "converter/hf_config.h"
#include "format/griffin_writer.h"
#include "format/quant.h"
#include "format/tensor_specs.h"

#include <algorithm>

namespace griffin {

const char kConverterVersion[] = "griffin-convert 0.1.0";

std::string dtype_recipe(DType weight_dtype, DType embed_dtype) {
  return std::string("matrices=") + dtype_name(weight_dtype) + " embedding=" +
         dtype_name(embed_dtype) + " gates=" +
         dtype_name(storage_dtype(TensorRole::kGateWeight, weight_dtype, embed_dtype)) +
         " small=f32";
}

namespace {

// The tied output projection is the embedding; a saved copy carries no information.
constexpr char kTiedHead[] = "lm_head.weight";

Status check_tensors(const Checkpoint& checkpoint, const std::vector<TensorSpec>& expected) {
  std::set<std::string> expected_names;
  for (const TensorSpec& spec : expected) {
    expected_names.insert(spec.name);
    const CheckpointTensor* tensor = checkpoint.find(spec.name);
    GRF_CHECK(tensor != nullptr, kInvalidFile, "%s: tensor %s is missing",
              checkpoint.directory().c_str(), spec.name.c_str());
    const SafetensorsEntry& entry = *tensor->entry;
    GRF_CHECK(entry.shape == spec.shape, kInvalidFile,
              "%s: tensor %s has shape %s, but config.json implies %s",
              tensor->file->path().c_str(), spec.name.c_str(), shape_string(entry.shape).c_str(),
              shape_string(spec.shape).c_str());
    GRF_CHECK(entry.supported, kUnsupported,
              "%s: tensor %s has dtype %s; supported are F32, BF16 and F16",
              tensor->file->path().c_str(), spec.name.c_str(), entry.source_dtype.c_str());
  }
  for (const auto& [name, tensor] : checkpoint.tensors()) {
    GRF_CHECK(expected_names.count(name) || name == kTiedHead, kInvalidFile,
              "%s: unexpected tensor %s (not part of this config's model)",
              tensor.file->path().c_str(), name.c_str());
  }
  return Status::ok_status();
}

Status check_tokenizer(const std::string& model_bytes, const HfModelSettings& settings,
                       const std::string& path) {
  sentencepiece::SentencePieceProcessor processor;
  const auto loaded = processor.LoadFromSerializedProto(model_bytes);
  GRF_CHECK(loaded.ok(), kInvalidFile, "%s: not a SentencePiece model: %s", path.c_str(),
            loaded.ToString().c_str());
  GRF_CHECK(processor.GetPieceSize() <= settings.config.vocab_size, kInvalidFile,
            "%s has %d pieces, more than the model's vocab_size %lld", path.c_str(),
            processor.GetPieceSize(), (long long)settings.config.vocab_size);
  return Status::ok_status();
}

}  // namespace

Status convert_checkpoint(const std::string& checkpoint_dir, const std::string& output_path,
                          const ConvertOptions& options) {
  GRF_ASSIGN_OR_RETURN(auto checkpoint, Checkpoint::open(checkpoint_dir));
  const std::string config_path = checkpoint_dir + "/config.json";
  auto settings = parse_hf_config(
      checkpoint->config_json(),
      [&](const std::string& name) { return checkpoint->shape_of(name); });
  if (!settings.ok()) return settings.status().with_context(checkpoint_dir);
  const ModelConfig& config = settings->config;
  const std::vector<TensorSpec> expected = expected_tensors(config);
  GRF_RETURN_IF_ERROR(check_tensors(*checkpoint, expected));

  FileHeader header;
  header.config = config;
  if (!checkpoint->tokenizer_model().empty()) {
    GRF_RETURN_IF_ERROR(check_tokenizer(checkpoint->tokenizer_model(), settings.value(),
                                        checkpoint_dir + "/tokenizer.model"));
    header.tokenizer.sentencepiece_model = checkpoint->tokenizer_model();
  }
  header.tokenizer.bos_id = settings->bos_id;
  header.tokenizer.eos_id = settings->eos_id;
  header.tokenizer.pad_id = settings->pad_id;
  header.metadata.source = checkpoint_dir;
  header.metadata.converter_version = kConverterVersion;
  const DType embed_dtype = options.embed_dtype.value_or(options.weight_dtype);
  header.metadata.dtype_recipe = dtype_recipe(options.weight_dtype, embed_dtype);
  header.metadata.created_by = options.created_by;
  std::vector<const CheckpointTensor*> sources;
  for (const TensorSpec& spec : expected) {
    TensorRecord record;
    record.name = spec.name;
    record.shape = spec.shape;
    record.dtype = storage_dtype(spec.role, options.weight_dtype, embed_dtype);
    record.size = tensor_bytes(spec.shape, record.dtype);
    header.tensors.push_back(std::move(record));
    sources.push_back(checkpoint->find(spec.name));
  }

  GRF_ASSIGN_OR_RETURN(auto writer, GriffinFileWriter::create(output_path, std::move(header)));
  std::vector<uint8_t> staging;
  auto source = [&](size_t index, uint64_t first, size_t count, float* out) -> Status {
    const SafetensorsEntry& entry = *sources[index]->entry;
    const size_t source_bytes = dtype_size(entry.dtype);
    staging.resize(std::max(staging.size(), count * source_bytes));
    GRF_RETURN_IF_ERROR(
        sources[index]->file->read(entry, first * source_bytes, staging.data(), count * source_bytes));
    convert_elements(entry.dtype, staging.data(), DType::kF32, out, count);
    return Status::ok_status();
  };
  return stream_tensors(*writer, source, options.stream);
}

}  // namespace griffin
