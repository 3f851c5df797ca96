// The public structs' layout is ABI: an app compiled against an older griffin.h passes the
// struct_size it knew, and the library reads (options) or writes (results) that many bytes.
// That only works while fields are never moved and a new field starts at or past the struct's
// previous sizeof. A field put in the old tail padding would be read from bytes an older app
// never set: huge_pages and sleep_between_steps went into the tail padding of the 40-byte
// griffin_model_options that ended at max_batch, before 0.1.0 was released (so no app has the
// older layout), and this test exists so that it cannot happen again unnoticed.
//
// The fields are parsed from the header, so a new field without a row here fails. The
// offsets are LP64's (x86-64, aarch64, the platforms CI runs); other ABIs are not pinned.
#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "griffin/griffin.h"
#include "tests/support/test_files.h"

namespace {

struct Field {
  const char* name;
  size_t offset;
};

struct Layout {
  size_t size;
  std::vector<Field> fields;
};

#define GRF_FIELD(type, name) \
  { #name, offsetof(type, name) }

// name -> {sizeof, fields with their offsets} as compiled; pinned_layouts() has the released ones.
std::map<std::string, Layout> actual_layouts() {
  std::map<std::string, Layout> layouts;
  layouts["griffin_model_options"] = {
      sizeof(griffin_model_options),
      {GRF_FIELD(griffin_model_options, struct_size), GRF_FIELD(griffin_model_options, num_threads),
       GRF_FIELD(griffin_model_options, max_memory_bytes),
       GRF_FIELD(griffin_model_options, force_scalar_kernels),
       GRF_FIELD(griffin_model_options, int8_activations),
       GRF_FIELD(griffin_model_options, copy_weights), GRF_FIELD(griffin_model_options, prefault),
       GRF_FIELD(griffin_model_options, lock_weights), GRF_FIELD(griffin_model_options, max_batch),
       GRF_FIELD(griffin_model_options, huge_pages),
       GRF_FIELD(griffin_model_options, sleep_between_steps),
       GRF_FIELD(griffin_model_options, activation_scale),
       GRF_FIELD(griffin_model_options, repack_weights)}};
  layouts["griffin_model_info"] = {sizeof(griffin_model_info),
                                   {GRF_FIELD(griffin_model_info, struct_size),
                                    GRF_FIELD(griffin_model_info, width),
                                    GRF_FIELD(griffin_model_info, depth),
                                    GRF_FIELD(griffin_model_info, num_heads),
                                    GRF_FIELD(griffin_model_info, num_kv_heads),
                                    GRF_FIELD(griffin_model_info, head_dim),
                                    GRF_FIELD(griffin_model_info, lru_width),
                                    GRF_FIELD(griffin_model_info, mlp_width),
                                    GRF_FIELD(griffin_model_info, conv1d_width),
                                    GRF_FIELD(griffin_model_info, attention_window),
                                    GRF_FIELD(griffin_model_info, vocab_size),
                                    GRF_FIELD(griffin_model_info, num_recurrent_layers),
                                    GRF_FIELD(griffin_model_info, num_local_attention_layers),
                                    GRF_FIELD(griffin_model_info, num_global_attention_layers),
                                    GRF_FIELD(griffin_model_info, bos_id),
                                    GRF_FIELD(griffin_model_info, eos_id),
                                    GRF_FIELD(griffin_model_info, pad_id),
                                    GRF_FIELD(griffin_model_info, has_tokenizer),
                                    GRF_FIELD(griffin_model_info, num_threads),
                                    GRF_FIELD(griffin_model_info, tokenizer_pieces),
                                    GRF_FIELD(griffin_model_info, start_of_turn_id),
                                    GRF_FIELD(griffin_model_info, end_of_turn_id),
                                    GRF_FIELD(griffin_model_info, weights_huge_page_bytes),
                                    GRF_FIELD(griffin_model_info, weights_repacked_bytes)}};
  layouts["griffin_session_options"] = {
      sizeof(griffin_session_options),
      {GRF_FIELD(griffin_session_options, struct_size),
       GRF_FIELD(griffin_session_options, prefill_chunk),
       GRF_FIELD(griffin_session_options, max_context), GRF_FIELD(griffin_session_options, seed),
       GRF_FIELD(griffin_session_options, history_size),
       GRF_FIELD(griffin_session_options, kv_dtype),
       GRF_FIELD(griffin_session_options, max_memory_bytes)}};
  layouts["griffin_sampler_options"] = {
      sizeof(griffin_sampler_options),
      {GRF_FIELD(griffin_sampler_options, struct_size),
       GRF_FIELD(griffin_sampler_options, temperature), GRF_FIELD(griffin_sampler_options, top_k),
       GRF_FIELD(griffin_sampler_options, top_p), GRF_FIELD(griffin_sampler_options, min_p),
       GRF_FIELD(griffin_sampler_options, repetition_penalty),
       GRF_FIELD(griffin_sampler_options, repetition_window)}};
  layouts["griffin_memory_plan"] = {
      sizeof(griffin_memory_plan),
      {GRF_FIELD(griffin_memory_plan, struct_size),
       GRF_FIELD(griffin_memory_plan, weights_mapped_bytes),
       GRF_FIELD(griffin_memory_plan, weights_packed_bytes),
       GRF_FIELD(griffin_memory_plan, weights_prepared_bytes),
       GRF_FIELD(griffin_memory_plan, model_bytes),
       GRF_FIELD(griffin_memory_plan, rglru_state_bytes),
       GRF_FIELD(griffin_memory_plan, conv_state_bytes),
       GRF_FIELD(griffin_memory_plan, kv_cache_bytes),
       GRF_FIELD(griffin_memory_plan, scratch_bytes), GRF_FIELD(griffin_memory_plan, logits_bytes),
       GRF_FIELD(griffin_memory_plan, sampler_bytes), GRF_FIELD(griffin_memory_plan, history_bytes),
       GRF_FIELD(griffin_memory_plan, session_bytes), GRF_FIELD(griffin_memory_plan, total_bytes),
       GRF_FIELD(griffin_memory_plan, weights_streamed_bytes),
       GRF_FIELD(griffin_memory_plan, counters_bytes),
       GRF_FIELD(griffin_memory_plan, session_used_bytes),
       GRF_FIELD(griffin_memory_plan, state_bytes),
       GRF_FIELD(griffin_memory_plan, weights_repacked_bytes)}};
  layouts["griffin_memory_usage"] = {
      sizeof(griffin_memory_usage),
      {GRF_FIELD(griffin_memory_usage, struct_size), GRF_FIELD(griffin_memory_usage, xnnpack_bytes),
       GRF_FIELD(griffin_memory_usage, session_bytes),
       GRF_FIELD(griffin_memory_usage, session_used_bytes)}};
  layouts["griffin_generate_options"] = {
      sizeof(griffin_generate_options),
      {GRF_FIELD(griffin_generate_options, struct_size),
       GRF_FIELD(griffin_generate_options, max_tokens),
       GRF_FIELD(griffin_generate_options, sampler),
       GRF_FIELD(griffin_generate_options, stop_sequences),
       GRF_FIELD(griffin_generate_options, stop_sequence_count),
       GRF_FIELD(griffin_generate_options, reseed), GRF_FIELD(griffin_generate_options, seed)}};
  layouts["griffin_generate_result"] = {sizeof(griffin_generate_result),
                                        {GRF_FIELD(griffin_generate_result, struct_size),
                                         GRF_FIELD(griffin_generate_result, stop_reason),
                                         GRF_FIELD(griffin_generate_result, prompt_tokens),
                                         GRF_FIELD(griffin_generate_result, generated_tokens),
                                         GRF_FIELD(griffin_generate_result, prefill_seconds),
                                         GRF_FIELD(griffin_generate_result, decode_seconds)}};
  return layouts;
}

// The layouts as released (LP64): {sizeof, offsets in field order}. Growing a struct: append
// the field to actual_layouts() only; the test then requires it to start at or past the sizeof
// pinned here. Pin the new layout (its sizeof and offsets) when a release ships it.
struct Pinned {
  size_t size;
  std::vector<size_t> offsets;
};

const std::map<std::string, Pinned>& pinned_layouts() {
  static const std::map<std::string, Pinned> pinned = {
      {"griffin_model_options", {40, {0, 8, 16, 24, 25, 26, 27, 28, 32, 36, 37}}},
      {"griffin_model_info", {104, {0,  8,  12, 16, 20, 24, 28, 32, 36, 40, 44, 48,
                                    52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 96}}},
      {"griffin_session_options", {40, {0, 8, 12, 16, 24, 28, 32}}},
      {"griffin_sampler_options", {32, {0, 8, 12, 16, 20, 24, 28}}},
      {"griffin_memory_plan",
       {144, {0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136}}},
      {"griffin_memory_usage", {32, {0, 8, 16, 24}}},
      {"griffin_generate_options", {80, {0, 8, 16, 48, 56, 64, 72}}},
      {"griffin_generate_result", {40, {0, 8, 12, 16, 24, 32}}},
  };
  return pinned;
}

// struct name -> field names in order, from `typedef struct name { ... } name;` in the header.
std::map<std::string, std::vector<std::string>> header_fields() {
  const std::string header =
      griffin::test::read_file(GRIFFIN_SOURCE_DIR "/runtime/include/griffin/griffin.h");
  // Comments out, so only declarations remain.
  const std::string code = std::regex_replace(header, std::regex(R"(/\*[\s\S]*?\*/)"), " ");
  std::map<std::string, std::vector<std::string>> structs;
  const std::regex body(R"(typedef struct (griffin_\w+) \{([^}]*)\} \1;)");
  const std::regex last_word(R"((\w+)\s*$)");
  for (std::sregex_iterator it(code.begin(), code.end(), body), end; it != end; ++it) {
    std::vector<std::string>& names = structs[(*it)[1]];
    std::stringstream declarations((*it)[2].str());
    std::string declaration;
    while (std::getline(declarations, declaration, ';')) {
      std::stringstream declarators(declaration);
      std::string declarator;
      while (std::getline(declarators, declarator, ',')) {
        std::smatch name;
        if (std::regex_search(declarator, name, last_word)) names.push_back(name[1]);
      }
    }
  }
  return structs;
}

}  // namespace

TEST_CASE("Every field of the public structs has a layout row", "[api][abi]") {
  const auto header = header_fields();
  const auto layouts = actual_layouts();
  REQUIRE(header.size() == layouts.size());
  for (const auto& [name, fields] : header) {
    INFO(name << ": a struct or field of griffin.h without a row in test_c_api_layout.cpp");
    REQUIRE(layouts.count(name) == 1);
    const Layout& layout = layouts.at(name);
    REQUIRE(fields.size() == layout.fields.size());
    for (size_t i = 0; i < fields.size(); ++i) CHECK(fields[i] == layout.fields[i].name);
  }
}

TEST_CASE("Public structs keep their layout and grow only past their old size", "[api][abi]") {
  if (sizeof(void*) != 8) {
    WARN("offsets are pinned for LP64 only");
    return;
  }
  const auto layouts = actual_layouts();
  for (const auto& [name, pinned] : pinned_layouts()) {
    INFO(name);
    REQUIRE(layouts.count(name) == 1);
    const Layout& actual = layouts.at(name);
    // Fields already released stay where they were.
    REQUIRE(actual.fields.size() >= pinned.offsets.size());
    for (size_t i = 0; i < pinned.offsets.size(); ++i) {
      INFO(actual.fields[i].name);
      CHECK(actual.fields[i].offset == pinned.offsets[i]);
    }
    // New fields start at or past the released sizeof, never in its tail padding.
    for (size_t i = pinned.offsets.size(); i < actual.fields.size(); ++i) {
      INFO(actual.fields[i].name << " is new: it must start at or past " << pinned.size);
      CHECK(actual.fields[i].offset >= pinned.size);
    }
    if (actual.fields.size() == pinned.offsets.size()) CHECK(actual.size == pinned.size);
  }
}
