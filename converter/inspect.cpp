// Text and JSON descriptions of a .griffin file (see inspect.h).
#include "converter/inspect.h"

#include <cstdarg>
#include <cstdio>
#include <map>

#include "converter/progress.h"

namespace griffin {

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

namespace {

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* pattern, ...) {
  char text[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

}  // namespace

nlohmann::ordered_json inspect_json(const GriffinFile& file) {
  const FileHeader& header = file.header();
  const ModelConfig& c = header.config;
  nlohmann::ordered_json json;
  json["file"] = file.path();
  json["format_version"] = header.format_version;
  json["file_bytes"] = file.file_bytes();
  json["data_offset"] = file.data_offset();
  nlohmann::ordered_json& config = json["config"];
  config["width"] = c.width;
  config["depth"] = c.depth;
  config["num_heads"] = c.num_heads;
  config["num_kv_heads"] = c.num_kv_heads;
  config["head_dim"] = c.head_dim;
  config["lru_width"] = c.lru_width;
  config["mlp_width"] = c.mlp_width;
  config["conv1d_width"] = c.conv1d_width;
  config["attention_window"] = c.attention_window;
  config["vocab_size"] = c.vocab_size;
  config["rope_theta"] = c.rope_theta;
  config["partial_rotary_factor"] = c.partial_rotary_factor;
  config["rotary_dims"] = c.rotary_dims();
  config["logits_soft_cap"] = c.logits_soft_cap;
  config["embedding_scale"] = c.embedding_scale;
  config["rms_norm_eps"] = c.rms_norm_eps;
  nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
  for (BlockType type : c.block_types) blocks.push_back(block_type_name(type));
  config["block_types"] = blocks;
  const TokenizerInfo& tok = header.tokenizer;
  json["tokenizer"] = {{"sentencepiece_model_bytes", tok.sentencepiece_model.size()},
                       {"bos_id", tok.bos_id},
                       {"eos_id", tok.eos_id},
                       {"pad_id", tok.pad_id},
                       {"start_of_turn", tok.start_of_turn},
                       {"end_of_turn", tok.end_of_turn}};
  const FileMetadata& m = header.metadata;
  json["metadata"] = {{"source", m.source},
                      {"converter_version", m.converter_version},
                      {"dtype_recipe", m.dtype_recipe},
                      {"created_by", m.created_by}};
  nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
  std::map<std::string, uint64_t> bytes_by_dtype;
  uint64_t weight_bytes = 0;
  for (const TensorView& view : file.tensors()) {
    const TensorRecord& t = *view.record;
    tensors.push_back({{"name", t.name},
                       {"dtype", dtype_name(t.dtype)},
                       {"shape", t.shape},
                       {"parameters", element_count(t.shape)},
                       {"bytes", t.size},
                       {"file_offset", view.file_offset}});
    bytes_by_dtype[dtype_name(t.dtype)] += t.size;
    weight_bytes += t.size;
  }
  json["tensors"] = tensors;
  json["totals"] = {{"tensors", file.tensors().size()},
                    {"parameters", file.parameter_count()},
                    {"weight_bytes", weight_bytes},
                    {"bytes_by_dtype", bytes_by_dtype}};
  return json;
}

std::string inspect_text(const GriffinFile& file, bool list_tensors) {
  const FileHeader& header = file.header();
  const ModelConfig& c = header.config;
  std::string out;
  out += format("%s: .griffin format v%u, %s\n", file.path().c_str(), header.format_version,
                human_bytes(file.file_bytes()).c_str());
  out += "config:\n";
  out += format("  width %lld, depth %lld, heads %lld (kv heads %lld, head dim %lld)\n",
                (long long)c.width, (long long)c.depth, (long long)c.num_heads,
                (long long)c.num_kv_heads, (long long)c.head_dim);
  out += format("  lru width %lld, mlp width %lld, conv1d width %lld, attention window %lld, "
                "vocab %lld\n",
                (long long)c.lru_width, (long long)c.mlp_width, (long long)c.conv1d_width,
                (long long)c.attention_window, (long long)c.vocab_size);
  out += format("  rope theta %g, rotary fraction %g (%lld dims), soft cap %g, embedding scale "
                "%g, rms eps %g\n",
                c.rope_theta, c.partial_rotary_factor, (long long)c.rotary_dims(),
                c.logits_soft_cap, c.embedding_scale, c.rms_norm_eps);
  std::string pattern;
  for (BlockType type : c.block_types) {
    pattern += type == BlockType::kRecurrent ? 'R' : type == BlockType::kLocalAttention ? 'A' : 'G';
  }
  out += format("  layers %s (R recurrent %lld, A local attention %lld, G global attention "
                "%lld)\n",
                pattern.c_str(), (long long)c.count_layers(BlockType::kRecurrent),
                (long long)c.count_layers(BlockType::kLocalAttention),
                (long long)c.count_layers(BlockType::kGlobalAttention));
  const TokenizerInfo& tok = header.tokenizer;
  if (tok.sentencepiece_model.empty()) {
    out += format("tokenizer: none (driven by token ids), bos %d, eos %d, pad %d\n", tok.bos_id,
                  tok.eos_id, tok.pad_id);
  } else {
    out += format("tokenizer: SentencePiece, %s, bos %d, eos %d, pad %d, turns %s %s\n",
                  human_bytes(tok.sentencepiece_model.size()).c_str(), tok.bos_id, tok.eos_id,
                  tok.pad_id, tok.start_of_turn.c_str(), tok.end_of_turn.c_str());
  }
  const FileMetadata& m = header.metadata;
  out += format("metadata:\n  source %s\n  converter %s\n  dtype recipe %s\n", m.source.c_str(),
                m.converter_version.c_str(), m.dtype_recipe.c_str());
  if (!m.created_by.empty()) out += "  created by " + m.created_by + "\n";

  std::map<std::string, uint64_t> bytes_by_dtype;
  uint64_t weight_bytes = 0;
  if (list_tensors) out += "tensors:\n";
  for (const TensorView& view : file.tensors()) {
    const TensorRecord& t = *view.record;
    bytes_by_dtype[dtype_name(t.dtype)] += t.size;
    weight_bytes += t.size;
    if (list_tensors) {
      out += format("  %-60s %-5s %-20s %12s bytes  @%llu\n", t.name.c_str(), dtype_name(t.dtype),
                    shape_string(t.shape).c_str(), with_thousands((int64_t)t.size).c_str(),
                    (unsigned long long)view.file_offset);
    }
  }
  std::string by_dtype;
  for (const auto& [dtype, bytes] : bytes_by_dtype) {
    by_dtype += (by_dtype.empty() ? "" : ", ") + dtype + " " + human_bytes(bytes);
  }
  out += format("totals: %zu tensors, %s parameters, %s of weights (%s)\n", file.tensors().size(),
                with_thousands(file.parameter_count()).c_str(), human_bytes(weight_bytes).c_str(),
                by_dtype.c_str());
  return out;
}

}  // namespace griffin
