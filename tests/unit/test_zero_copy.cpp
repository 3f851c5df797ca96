// Quantized and bf16 weights are used straight from the memory-mapped file: loading such a model
// adds no private (anonymous) memory of the weights' size, and the weights show up as
// file-backed resident pages once read. An f32 model, whose weights XNNPACK packs into its own
// buffers, is the control: there anonymous memory does grow by about the weight size.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/support/small_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

// A field of /proc/self/smaps_rollup, in bytes.
uint64_t smaps_field(const char* field) {
  std::FILE* file = std::fopen("/proc/self/smaps_rollup", "r");
  REQUIRE(file != nullptr);
  char line[256];
  uint64_t kib = 0;
  const size_t length = std::strlen(field);
  while (std::fgets(line, sizeof line, file)) {
    if (std::strncmp(line, field, length) == 0 && line[length] == ':') {
      kib = std::strtoull(line + length + 1, nullptr, 10);
    }
  }
  std::fclose(file);
  return kib * 1024;
}

ModelConfig medium_config() {
  return tiny_config_with({512, 512, 1536, 8, 64, 8192});
}

struct Measured {
  uint64_t weight_bytes;
  uint64_t anonymous_growth;
  uint64_t file_backed_growth;
};

Measured load_and_step(const std::string& path) {
  griffin_memory_plan plan = {};
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_file_memory_plan(path.c_str(), nullptr, &plan) == GRIFFIN_OK);
  const uint64_t anonymous_before = smaps_field("Anonymous");
  const uint64_t rss_before = smaps_field("Rss");
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &model) == GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  REQUIRE(griffin_session_decode(session, 2, nullptr) == GRIFFIN_OK);  // reads every weight
  const uint64_t anonymous_after = smaps_field("Anonymous");
  const uint64_t rss_after = smaps_field("Rss");
  Measured measured;
  measured.weight_bytes = plan.weights_mapped_bytes;
  // The session arena and XNNPACK's packed gate blocks are anonymous by design: take them out.
  const uint64_t planned_anonymous = plan.session_bytes + plan.weights_packed_bytes;
  const uint64_t anonymous = anonymous_after - anonymous_before;
  measured.anonymous_growth = anonymous > planned_anonymous ? anonymous - planned_anonymous : 0;
  measured.file_backed_growth = (rss_after - anonymous_after) - (rss_before - anonymous_before);
  griffin_session_destroy(session);
  griffin_model_close(model);
  return measured;
}

}  // namespace

TEST_CASE("Quantized and bf16 weights stay file-backed", "[memory][zero-copy]") {
  TempDir dir;
  const DType dtype = GENERATE(DType::kInt8, DType::kInt4, DType::kBF16);
  INFO(dtype_name(dtype));
  SyntheticOptions options;
  options.weight_dtype = dtype;
  const std::string path = dir.file(std::string("medium-") + dtype_name(dtype) + ".griffin");
  REQUIRE(write_synthetic_griffin(medium_config(), path, options).ok());
  const Measured m = load_and_step(path);
  INFO("weights " << m.weight_bytes << " B, extra anonymous " << m.anonymous_growth
                  << " B, file-backed growth " << m.file_backed_growth << " B");
  CHECK(m.weight_bytes > 8'000'000);
  CHECK(m.anonymous_growth < m.weight_bytes / 10);
  CHECK(m.file_backed_growth > m.weight_bytes / 2);
}

TEST_CASE("f32 weights packed by XNNPACK do grow anonymous memory (control)",
          "[memory][zero-copy]") {
  TempDir dir;
  const std::string path = dir.file("medium-f32.griffin");
  REQUIRE(write_synthetic_griffin(medium_config(), path, {}).ok());
  griffin_memory_plan plan = {};
  plan.struct_size = sizeof plan;
  REQUIRE(griffin_file_memory_plan(path.c_str(), nullptr, &plan) == GRIFFIN_OK);
  // Heap freed by earlier tests but still resident would be reused and hide the growth.
  malloc_trim(0);
  const uint64_t anonymous_before = smaps_field("Anonymous");
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  const uint64_t growth = smaps_field("Anonymous") - anonymous_before;
  CHECK(growth > plan.weights_mapped_bytes * 9 / 10);
  griffin_model_close(model);
}
