// FlatBuffers encoding and decoding of the .griffin header (see file_header.h).
#include "format/file_header.h"

#include <cstdint>
#include <cstring>

#include "griffin_model_generated.h"

namespace griffin {

static fb::Layout layout_for(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
      return fb::Layout::Int8Rows;
    case DType::kInt4:
      return fb::Layout::Int4Groups32;
    default:
      return fb::Layout::RowMajor;
  }
}

uint64_t align_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint64_t assign_tensor_offsets(std::vector<TensorRecord>& tensors) {
  uint64_t cursor = 0;
  for (TensorRecord& tensor : tensors) {
    tensor.offset = cursor;
    cursor = align_up(cursor + tensor.size, kDataAlignment);
  }
  return cursor;
}

uint64_t data_section_offset(uint32_t header_bytes) {
  return align_up(uint64_t{4} + header_bytes, kDataAlignment);
}

std::vector<uint8_t> encode_header(const FileHeader& header) {
  flatbuffers::FlatBufferBuilder builder(1 << 16);
  const ModelConfig& c = header.config;
  std::vector<int8_t> block_types;
  for (BlockType type : c.block_types) block_types.push_back(static_cast<int8_t>(type));
  const auto config = fb::CreateModelConfig(
      builder, c.width, c.depth, c.num_heads, c.num_kv_heads, c.head_dim, c.lru_width, c.mlp_width,
      c.conv1d_width, c.attention_window, c.vocab_size, c.rope_theta, c.partial_rotary_factor,
      c.logits_soft_cap, c.embedding_scale, c.rms_norm_eps,
      builder.CreateVector(reinterpret_cast<const fb::BlockType*>(block_types.data()),
                           block_types.size()));

  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (const TensorRecord& t : header.tensors) {
    tensors.push_back(
        fb::CreateTensor(builder, builder.CreateString(t.name), builder.CreateVector(t.shape),
                         static_cast<fb::DType>(t.dtype), layout_for(t.dtype), t.offset, t.size));
  }
  const auto tensor_vector = builder.CreateVector(tensors);

  const TokenizerInfo& tok = header.tokenizer;
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> model_bytes;
  if (!tok.sentencepiece_model.empty()) {
    model_bytes =
        builder.CreateVector(reinterpret_cast<const uint8_t*>(tok.sentencepiece_model.data()),
                             tok.sentencepiece_model.size());
  }
  const auto tokenizer = fb::CreateTokenizer(builder, model_bytes, tok.bos_id, tok.eos_id,
                                             tok.pad_id, builder.CreateString(tok.start_of_turn),
                                             builder.CreateString(tok.end_of_turn));
  const FileMetadata& m = header.metadata;
  const auto metadata = fb::CreateMetadata(
      builder, builder.CreateString(m.source), builder.CreateString(m.converter_version),
      builder.CreateString(m.dtype_recipe), builder.CreateString(m.created_by));
  const auto model = fb::CreateModel(builder, header.format_version, config, tensor_vector,
                                     tokenizer, metadata, kDataAlignment);
  fb::FinishSizePrefixedModelBuffer(builder, model);
  return std::vector<uint8_t>(builder.GetBufferPointer(),
                              builder.GetBufferPointer() + builder.GetSize());
}

namespace {

std::string to_string(const flatbuffers::String* text) {
  return text ? std::string(text->c_str(), text->size()) : std::string();
}

}  // namespace

Result<FileHeader> decode_header(const uint8_t* data, uint64_t file_size) {
  GRF_CHECK(file_size >= 12, kInvalidFile, "file is %llu bytes: too small to be a .griffin file",
            (unsigned long long)file_size);
  GRF_CHECK(std::memcmp(data + 8, kFileIdentifier, 4) == 0, kInvalidFile,
            "not a .griffin file (bytes 8..11 are not \"%s\")", kFileIdentifier);
  uint32_t header_bytes;
  std::memcpy(&header_bytes, data, 4);
  GRF_CHECK(uint64_t{4} + header_bytes <= file_size, kInvalidFile,
            "truncated: header claims %u bytes but the file has %llu", header_bytes,
            (unsigned long long)file_size);
  // The verifier bounds every offset inside the header; 64 tables deep and 10M tables cover the
  // largest real models (a few thousand tensors) with a wide margin.
  flatbuffers::Verifier verifier(data, uint64_t{4} + header_bytes, 64, 10000000);
  GRF_CHECK(fb::VerifySizePrefixedModelBuffer(verifier), kInvalidFile,
            "header failed FlatBuffers verification (corrupt file)");
  const fb::Model* model = fb::GetSizePrefixedModel(data);

  FileHeader header;
  header.format_version = model->format_version();
  GRF_CHECK(header.format_version == kFormatVersion, kUnsupported,
            "format version %u; this build reads version %u", header.format_version,
            kFormatVersion);
  GRF_CHECK(model->data_alignment() == kDataAlignment, kUnsupported,
            "data alignment %llu; this build reads %llu",
            (unsigned long long)model->data_alignment(), (unsigned long long)kDataAlignment);

  const fb::ModelConfig* fc = model->config();
  ModelConfig& c = header.config;
  c.width = fc->width();
  c.depth = fc->depth();
  c.num_heads = fc->num_heads();
  c.num_kv_heads = fc->num_kv_heads();
  c.head_dim = fc->head_dim();
  c.lru_width = fc->lru_width();
  c.mlp_width = fc->mlp_width();
  c.conv1d_width = fc->conv1d_width();
  c.attention_window = fc->attention_window();
  c.vocab_size = fc->vocab_size();
  c.rope_theta = fc->rope_theta();
  c.partial_rotary_factor = fc->partial_rotary_factor();
  c.logits_soft_cap = fc->logits_soft_cap();
  c.embedding_scale = fc->embedding_scale();
  c.rms_norm_eps = fc->rms_norm_eps();
  if (fc->block_types()) {
    for (fb::BlockType type : *fc->block_types()) {
      GRF_CHECK(type >= fb::BlockType::MIN && type <= fb::BlockType::MAX, kUnsupported,
                "unknown block type %d", static_cast<int>(type));
      c.block_types.push_back(static_cast<BlockType>(type));
    }
  }

  for (const fb::Tensor* t : *model->tensors()) {
    TensorRecord record;
    record.name = to_string(t->name());
    // The verifier checks a vector's 4-byte length field but not that its 8-byte elements are
    // 8-aligned; a builder always aligns them, so a misaligned shape is a corrupt header (and
    // reading it would be a misaligned load; found by fuzz_model_buffer).
    GRF_CHECK(reinterpret_cast<uintptr_t>(t->shape()->data()) % alignof(int64_t) == 0, kInvalidFile,
              "tensor %s: shape vector is not 8-byte aligned (corrupt header)",
              record.name.c_str());
    record.shape.assign(t->shape()->begin(), t->shape()->end());
    GRF_CHECK(t->dtype() >= fb::DType::MIN && t->dtype() <= fb::DType::MAX, kUnsupported,
              "tensor %s: dtype %d is not supported by this build", record.name.c_str(),
              static_cast<int>(t->dtype()));
    record.dtype = static_cast<DType>(t->dtype());
    GRF_CHECK(t->layout() == layout_for(record.dtype), kUnsupported,
              "tensor %s: layout %d does not go with dtype %s in this build", record.name.c_str(),
              static_cast<int>(t->layout()), dtype_name(record.dtype));
    record.offset = t->offset();
    record.size = t->size();
    header.tensors.push_back(std::move(record));
  }

  if (const fb::Tokenizer* tok = model->tokenizer()) {
    if (tok->sentencepiece_model()) {
      header.tokenizer.sentencepiece_model =
          std::string_view(reinterpret_cast<const char*>(tok->sentencepiece_model()->data()),
                           tok->sentencepiece_model()->size());
    }
    header.tokenizer.bos_id = tok->bos_id();
    header.tokenizer.eos_id = tok->eos_id();
    header.tokenizer.pad_id = tok->pad_id();
    header.tokenizer.start_of_turn = to_string(tok->start_of_turn());
    header.tokenizer.end_of_turn = to_string(tok->end_of_turn());
  }
  if (const fb::Metadata* m = model->metadata()) {
    header.metadata.source = to_string(m->source());
    header.metadata.converter_version = to_string(m->converter_version());
    header.metadata.dtype_recipe = to_string(m->dtype_recipe());
    header.metadata.created_by = to_string(m->created_by());
  }
  return header;
}

}  // namespace griffin
