// Linear::run_shared_input: several maps of one input as one pool call (the input quantized
// once) give each map the bits of its own run(), for every engine of our kernels, for decode,
// batches and prefill, with maps whose sizes put pieces across their boundaries.
#include <pthreadpool.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/quant.h"
#include "runtime/src/kernels/dispatch.h"
#include "runtime/src/linear.h"

namespace griffin {
namespace {

constexpr size_t kIn = 96;  // not a multiple of 64: padded columns in the quantized rows

// One weight tensor as the mapped file would hold it, and its f32 values.
struct Weight {
  TensorRecord record;
  std::vector<uint8_t> bytes;  // the tensor (values, then scales for int8/int4)
  std::vector<float> bias;
  std::vector<double> dequantized;  // [out, in]
  TensorView view() const { return TensorView{&record, TensorRole::kMatrix, bytes.data(), 0}; }
};

Weight make_weight(DType dtype, size_t out, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(out * kIn);
  for (float& v : values) v = uniform(rng);
  Weight w;
  w.record.name = "w" + std::to_string(seed);
  w.record.shape = {static_cast<int64_t>(out), static_cast<int64_t>(kIn)};
  w.record.dtype = dtype;
  w.bytes.assign(tensor_bytes(w.record.shape, dtype) + 64, 0);
  w.bias.resize(out);
  for (float& b : w.bias) b = uniform(rng);
  w.dequantized.resize(out * kIn);
  if (dtype == DType::kBF16) {
    uint16_t* bits = reinterpret_cast<uint16_t*>(w.bytes.data());
    for (size_t i = 0; i < values.size(); ++i) {
      bits[i] = bf16_from_f32(values[i]);
      w.dequantized[i] = f32_from_bf16(bits[i]);
    }
    return w;
  }
  const QuantLayout layout = quant_layout(dtype, w.record.shape[0], w.record.shape[1]);
  std::vector<float> row(kIn);
  for (size_t n = 0; n < out; ++n) {
    uint8_t* values_at = w.bytes.data() + n * layout.row_bytes;
    uint8_t* scales_at = w.bytes.data() + layout.scales_offset;
    if (dtype == DType::kInt8) {
      quantize_row_int8(&values[n * kIn], kIn, reinterpret_cast<int8_t*>(values_at),
                        reinterpret_cast<float*>(scales_at) + n);
    } else {
      quantize_row_int4(&values[n * kIn], kIn, values_at,
                        reinterpret_cast<uint16_t*>(scales_at) + n * (layout.padded_columns / 32));
    }
  }
  for (size_t n = 0; n < out; ++n) {
    dequantize_row(dtype, w.bytes.data(), layout, static_cast<int64_t>(n), row.data());
    for (size_t k = 0; k < kIn; ++k) w.dequantized[n * kIn + k] = row[k];
  }
  return w;
}

struct Scratch {
  std::vector<int8_t> quantized;
  std::vector<float> scales;
  std::vector<int32_t> offsets;
  Scratch(size_t rows) : quantized(rows * 128), scales(rows * 128 / 32), offsets(rows * 128 / 32) {}
};

struct PoolDeleter {
  void operator()(pthreadpool* pool) const { pthreadpool_destroy(pool); }
};

// Runs the maps of `weights` (each by `engines[i]`) over `rows` tokens both ways and checks that
// the bits agree, and that map 0 is the product of its weights.
void check_shared(const std::vector<const Weight*>& weights,
                  const std::vector<LinearEngine>& engines, bool int8_activations, size_t rows,
                  bool decode, pthreadpool_t pool) {
  std::vector<Linear> maps;
  for (size_t i = 0; i < weights.size(); ++i) {
    const TensorView view = weights[i]->view();
    TensorRecord bias_record{"b", {static_cast<int64_t>(weights[i]->bias.size())}, DType::kF32};
    const TensorView bias{&bias_record, TensorRole::kMatrix, weights[i]->bias.data(), 0};
    auto map = Linear::create(view, &bias, engines[i]);
    REQUIRE(map.ok());
    maps.push_back(std::move(map.value()));
  }
  std::mt19937 rng(static_cast<uint32_t>(rows * 7 + decode));
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> x(rows * kIn);
  for (float& v : x) v = uniform(rng);

  const KernelTable kernels = select_kernels(false, int8_activations);
  Scratch scratch(rows);
  LinearContext context;
  context.pool = pool;
  context.kernels = &kernels;
  context.quantized = scratch.quantized.data();
  context.quantized_scales = scratch.scales.data();
  context.quantized_offsets = scratch.offsets.data();
  context.decode = decode;

  std::vector<std::vector<float>> alone(maps.size()), together(maps.size());
  std::vector<Linear::SharedInputCall> calls;
  for (size_t i = 0; i < maps.size(); ++i) {
    const size_t out = weights[i]->bias.size();
    alone[i].assign(rows * out, -1.0f);
    together[i].assign(rows * out, -2.0f);
    REQUIRE(maps[i].run(rows, x.data(), alone[i].data(), context).ok());
    calls.push_back({&maps[i], together[i].data()});
  }
  REQUIRE(Linear::run_shared_input(calls.data(), calls.size(), rows, x.data(), context).ok());
  for (size_t i = 0; i < maps.size(); ++i) {
    INFO("map " << i << ", " << rows << " rows, decode " << decode);
    CHECK(std::memcmp(alone[i].data(), together[i].data(), alone[i].size() * sizeof(float)) == 0);
  }
  // Map 0 against a double product of its stored weights: int8 activations round the input to
  // 8 bits (up to 1/254 of a group's largest value), the default int8 decode to 16 bits, bf16
  // only to float sums.
  const Weight& w = *weights[0];
  const size_t out = w.bias.size();
  double tolerance = 1e-5;
  if (engines[0] == LinearEngine::kInt8) tolerance = 1e-3;
  if (int8_activations || engines[0] == LinearEngine::kInt4Dynamic) tolerance = 2e-2;
  for (size_t m = 0; m < rows; ++m) {
    for (size_t n = 0; n < out; ++n) {
      double expected = w.bias[n], magnitude = std::fabs(w.bias[n]);
      for (size_t k = 0; k < kIn; ++k) {
        expected += x[m * kIn + k] * w.dequantized[n * kIn + k];
        magnitude += std::fabs(x[m * kIn + k] * w.dequantized[n * kIn + k]);
      }
      INFO("row " << m << ", output " << n);
      CHECK(std::fabs(together[0][m * out + n] - expected) <= tolerance * magnitude + 1e-6);
    }
  }
}

}  // namespace

TEST_CASE("Maps of one input run as one call with their own bits", "[linear][kernels]") {
  std::unique_ptr<pthreadpool, PoolDeleter> pool(pthreadpool_create(2));
  REQUIRE(pool != nullptr);
  // Output sizes as q, k, v (or gate, up): 40 and 24 are not multiples of the 16-row pieces,
  // so pieces run across the maps' boundaries.
  struct Case {
    DType dtype;
    LinearEngine engine;
    bool int8_activations;
  };
  const Case cases[] = {
      {DType::kInt8, LinearEngine::kInt8, false},
      {DType::kInt8, LinearEngine::kInt8Dynamic, true},
      {DType::kInt4, LinearEngine::kInt4Dynamic, false},
      {DType::kBF16, LinearEngine::kBf16, false},
  };
  for (const Case& c : cases) {
    const Weight a = make_weight(c.dtype, 40, 1), b = make_weight(c.dtype, 24, 2),
                 d = make_weight(c.dtype, 72, 3);
    for (size_t rows : {1, 3, 8, 13}) {
      for (bool decode : {true, false}) {
        INFO(dtype_name(c.dtype) << " engine " << linear_engine_name(c.engine));
        check_shared({&a, &b, &d}, {c.engine, c.engine, c.engine}, c.int8_activations, rows, decode,
                     pool.get());
        check_shared({&d, &a}, {c.engine, c.engine}, c.int8_activations, rows, decode, pool.get());
      }
    }
  }
  SECTION("maps of different engines run one by one") {
    const Weight a = make_weight(DType::kInt8, 40, 4), b = make_weight(DType::kBF16, 24, 5);
    check_shared({&a, &b}, {LinearEngine::kInt8, LinearEngine::kBf16}, false, 3, true, pool.get());
  }
  SECTION("on the calling thread alone") {
    const Weight a = make_weight(DType::kInt4, 40, 6), b = make_weight(DType::kInt4, 24, 7);
    check_shared({&a, &b}, {LinearEngine::kInt4Dynamic, LinearEngine::kInt4Dynamic}, false, 5,
                 false, nullptr);
  }
}

TEST_CASE("More maps of one input than a call takes is an error", "[linear]") {
  const Weight a = make_weight(DType::kInt8, 16, 8);
  auto map = Linear::create(a.view(), nullptr, LinearEngine::kInt8);
  REQUIRE(map.ok());
  std::vector<float> x(kIn, 1.0f), y(16 * (Linear::kMaxSharedInputCalls + 1));
  std::vector<Linear::SharedInputCall> calls;
  for (size_t i = 0; i <= Linear::kMaxSharedInputCalls; ++i) {
    calls.push_back({&map.value(), y.data() + 16 * i});
  }
  const KernelTable kernels = select_kernels(false);
  LinearContext context;
  context.kernels = &kernels;
  const Status status = Linear::run_shared_input(calls.data(), calls.size(), 1, x.data(), context);
  CHECK(!status.ok());
  CHECK_THAT(status.message(), Catch::Contains("at most"));
}

}  // namespace griffin
