// The region that holds the f32 gate blocks decode streams (runtime/src/streamed_floats.h): from
// one 2 MB page up it starts on a 2 MB boundary, advised for huge pages, and reports what smaps
// says the kernel granted; below, it comes from the heap. The model's gate blocks live in it
// and map inputs as the file's tensors say.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "converter/synthetic.h"
#include "runtime/src/model.h"
#include "tests/support/proc_smaps.h"
#include "tests/support/small_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

bool all_zero(const float* data, size_t count) {
  return std::all_of(data, data + count, [](float x) { return x == 0.0f; });
}

}  // namespace

TEST_CASE("StreamedFloats: heap below a huge page, 2 MB pages from one up", "[memory][huge]") {
  SECTION("small: 64-byte aligned zeros on the heap") {
    auto floats = StreamedFloats::allocate(1000);
    REQUIRE(floats.ok());
    StreamedFloats small = std::move(floats.value());
    REQUIRE(small.size() == 1000);
    CHECK(reinterpret_cast<uintptr_t>(small.data()) % 64 == 0);
    CHECK(all_zero(small.data(), small.size()));
    std::fill(small.data(), small.data() + small.size(), 1.5f);
    CHECK(small.huge_page_bytes() == 0);
  }
  SECTION("large: a 2 MB boundary, and smaps' count") {
    const size_t count = 3 * kHugePage / sizeof(float) + 5;
    auto floats = StreamedFloats::allocate(count);
    REQUIRE(floats.ok());
    StreamedFloats large = std::move(floats.value());
    REQUIRE(large.size() == count);
    CHECK(reinterpret_cast<uintptr_t>(large.data()) % kHugePage == 0);
    CHECK(all_zero(large.data(), count));
    std::fill(large.data(), large.data() + count, 2.0f);  // pages are granted as written
    const uint64_t seen = smaps_bytes(large.data(), "AnonHugePages");
    CHECK(large.huge_page_bytes() == std::min<uint64_t>(seen, count * sizeof(float)));
    if (seen == 0) WARN("the kernel granted no huge pages (THP off or memory fragmented)");
    // Moving hands the region over; the moved-from object holds nothing.
    const float* data = large.data();
    StreamedFloats moved(std::move(large));
    CHECK(moved.data() == data);
    CHECK(moved.size() == count);
    CHECK(large.data() == nullptr);  // NOLINT(bugprone-use-after-move): checking the move
    CHECK(large.huge_page_bytes() == 0);
  }
  SECTION("none") {
    auto floats = StreamedFloats::allocate(0);
    REQUIRE(floats.ok());
    CHECK(floats.value().size() == 0);
  }
}

TEST_CASE("A model's gate blocks live in one region and map as the file says", "[memory][huge]") {
  // One recurrent layer's gates: 2 blocks of 512 × 512 f32, 2 MB; three such layers, 6 MB.
  ModelConfig c = tiny_config_with({128, 512, 256, 1, 128, 512});
  c.depth = 4;
  c.block_types = {BlockType::kRecurrent, BlockType::kRecurrent, BlockType::kLocalAttention,
                   BlockType::kRecurrent};
  TempDir dir;
  const std::string path = dir.file("gates.griffin");
  REQUIRE(write_synthetic_griffin(c, path, SyntheticOptions()).ok());
  ModelOptions options;
  options.num_threads = 1;
  auto opened = Model::open(path, options);
  REQUIRE(opened.ok());
  const Model& model = *opened.value();
  const size_t block = 512, block_floats = block * block + block;
  CHECK(reinterpret_cast<uintptr_t>(model.gate_floats()) % kHugePage == 0);
  CHECK(model.prepared_bytes() >= 3 * 2 * block_floats * sizeof(float));
  const uint64_t seen = smaps_bytes(model.gate_floats(), "AnonHugePages");
  CHECK(model.gate_huge_page_bytes() ==
        std::min<uint64_t>(seen, 3 * 2 * block_floats * sizeof(float)));

  // Layer 3's input gate (the region's last block) against the file's [in, out] weights.
  const LayerWeights& layer = model.layers()[3];
  REQUIRE(layer.gate_i_blocks.size() == 1);
  const TensorView* weight =
      model.file().find("model.layers.3.temporal_block.rg_lru.input_gate_weight");
  const TensorView* bias =
      model.file().find("model.layers.3.temporal_block.rg_lru.input_gate_bias");
  REQUIRE(weight != nullptr);
  REQUIRE(bias != nullptr);
  REQUIRE(weight->record->dtype == DType::kF32);
  const float* w = static_cast<const float*>(weight->data);
  const float* b = static_cast<const float*>(bias->data);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> x(block), y(block);
  for (float& v : x) v = uniform(rng);
  LinearContext context;
  context.kernels = &model.kernels();
  context.decode = true;
  REQUIRE(layer.gate_i_blocks[0].run(1, x.data(), y.data(), context).ok());
  for (size_t o = 0; o < block; ++o) {
    double expected = b[o], magnitude = std::fabs(b[o]);
    for (size_t i = 0; i < block; ++i) {
      expected += double{x[i]} * w[i * block + o];
      magnitude += std::fabs(double{x[i]} * w[i * block + o]);
    }
    INFO("output " << o);
    CHECK(std::fabs(y[o] - expected) <= 1e-5 * magnitude + 1e-7);
  }
}
