// Quantized and bf16 weights end to end: every reference fixture converted to bf16, int8 and
// int4 (with an int8 embedding) and run by the runtime, against the float64 reference and the
// f32 runtime; SIMD kernels against the scalar definitions on whole models.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "tests/support/npy.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

const char* const kFixtures[] = {"griffin", "hawk", "mqa", "gqa", "conv3"};

struct Run {
  std::vector<float> logits;  // [T, V]
  size_t vocab = 0;
  std::string kernels;  // griffin_model_kernels
};

std::vector<int32_t> fixture_tokens(const std::string& name) {
  const nlohmann::json json = nlohmann::json::parse(
      read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name + "/tokens.json"));
  return json["tokens"].get<std::vector<int32_t>>();
}

Run run_fixture(const TempDir& dir, const std::string& name, DType matrices, DType embedding,
                bool force_scalar = false, bool int8_activations = false, int chunk = 64) {
  const std::string path = dir.file(name + "-" + dtype_name(matrices) + ".griffin");
  ConvertOptions options;
  options.weight_dtype = matrices;
  options.embed_dtype = embedding;
  REQUIRE(
      convert_checkpoint(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name, path, options)
          .ok());
  griffin_model_options model_options = griffin_model_default_options();
  model_options.force_scalar_kernels = force_scalar;
  model_options.int8_activations = int8_activations;
  model_options.num_threads = 2;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  griffin_session_options session_options = griffin_session_default_options();
  session_options.prefill_chunk = chunk;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &session_options, nullptr, 0, &session) == GRIFFIN_OK);
  const std::vector<int32_t> tokens = fixture_tokens(name);
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  Run run;
  run.vocab = static_cast<size_t>(info.vocab_size);
  const char* kernels = "";
  REQUIRE(griffin_model_kernels(model, &kernels) == GRIFFIN_OK);
  run.kernels = kernels;
  run.logits.resize(tokens.size() * run.vocab);
  REQUIRE(griffin_session_prefill(session, tokens.data(), tokens.size(), run.logits.data(),
                                  run.logits.size()) == GRIFFIN_OK);
  griffin_session_destroy(session);
  griffin_model_close(model);
  return run;
}

std::vector<float> reference_logits(const std::string& name) {
  return read_npy_f32(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/" + name + "/logits.npy")
      .values;
}

size_t argmax(const float* row, size_t count) {
  return static_cast<size_t>(std::max_element(row, row + count) - row);
}

struct Agreement {
  float max_error = 0.0f;
  size_t positions = 0;
  size_t same_argmax = 0;
};

void accumulate(Agreement& agreement, const std::vector<float>& got,
                const std::vector<float>& expected, size_t vocab) {
  for (size_t i = 0; i < got.size(); ++i) {
    agreement.max_error = std::max(agreement.max_error, std::fabs(got[i] - expected[i]));
  }
  for (size_t row = 0; row < got.size() / vocab; ++row) {
    ++agreement.positions;
    agreement.same_argmax +=
        argmax(&got[row * vocab], vocab) == argmax(&expected[row * vocab], vocab);
  }
}

}  // namespace

TEST_CASE("Quantized fixtures stay close to the reference", "[runtime][quantized]") {
  TempDir dir;
  Agreement bf16, int8, int8_act, int4;
  for (const char* name : kFixtures) {
    const std::vector<float> expected = reference_logits(name);
    const Run b = run_fixture(dir, name, DType::kBF16, DType::kBF16);
    const Run q8 = run_fixture(dir, name, DType::kInt8, DType::kInt8);
    const Run q8a = run_fixture(dir, name, DType::kInt8, DType::kInt8, false, true);
    const Run q4 = run_fixture(dir, name, DType::kInt4, DType::kInt8);
    accumulate(bf16, b.logits, expected, b.vocab);
    accumulate(int8, q8.logits, expected, q8.vocab);
    accumulate(int8_act, q8a.logits, expected, q8a.vocab);
    accumulate(int4, q4.logits, expected, q4.vocab);
  }
  auto rate = [](const Agreement& a) { return static_cast<double>(a.same_argmax) / a.positions; };
  WARN("bf16: max |dlogit| " << bf16.max_error << ", greedy agreement " << bf16.same_argmax << "/"
                             << bf16.positions);
  WARN("int8: max |dlogit| " << int8.max_error << ", greedy agreement " << int8.same_argmax << "/"
                             << int8.positions);
  WARN("int8 + int8 activations: max |dlogit| " << int8_act.max_error << ", greedy agreement "
                                                << int8_act.same_argmax << "/"
                                                << int8_act.positions);
  WARN("int4: max |dlogit| " << int4.max_error << ", greedy agreement " << int4.same_argmax << "/"
                             << int4.positions);
  // These fixtures are tiny random models (width 16-32) whose final norm is scaled up so the
  // logits reach ±22: every relative error is amplified ~400x into the logits, and each row of
  // 16-32 weights is a single quantization group. Measured on x86 (docs/quantization.md):
  // bf16 0.48 / 109 of 110, int8 1.16 / 108 of 110, int8 with int8 activations 2.02 / 107 of
  // 110, int4 21.2 / 77 of 110. Even bf16 weights miss one position here, so the 99 % target
  // for int8 is asserted on a trained model (test_quantized_quality.cpp); these bounds guard the
  // measured numbers.
  CHECK(bf16.max_error <= 0.6f);
  CHECK(rate(bf16) >= 0.98);
  CHECK(int8.max_error <= 1.4f);
  CHECK(rate(int8) >= 0.98);
  CHECK(int8_act.max_error <= 2.5f);
  CHECK(rate(int8_act) >= 0.96);
  CHECK(rate(int4) >= 0.65);
}

TEST_CASE("SIMD kernels give the scalar definition's logits on whole models",
          "[runtime][quantized]") {
  TempDir dir;
  for (const char* name : {"griffin", "gqa"}) {
    for (int variant = 0; variant < 4; ++variant) {
      // bf16, int8, int8 with int8 activations, int4 (int8 embedding)
      const DType dtype = variant == 0 ? DType::kBF16 : variant == 3 ? DType::kInt4 : DType::kInt8;
      const DType embedding = dtype == DType::kInt4 ? DType::kInt8 : dtype;
      const bool int8_activations = variant == 2;
      const Run simd = run_fixture(dir, name, dtype, embedding, false, int8_activations);
      const Run scalar = run_fixture(dir, name, dtype, embedding, true, int8_activations);
      float worst = 0.0f;
      for (size_t i = 0; i < simd.logits.size(); ++i) {
        worst = std::max(worst, std::fabs(simd.logits[i] - scalar.logits[i]));
      }
      INFO(name << " " << dtype_name(dtype) << (int8_activations ? " + int8 activations" : "")
                << "; " << simd.kernels);
      // int8 weights with f32 activations on x86 (AVX2, AVX-512F, AVX-512 VNNI) round each
      // token's activations to int16 (docs/quantization.md), where the scalar definition keeps
      // them f32: within that rounding, which these fixtures amplify ~400x (measured 3.2e-3
      // griffin and 1.2e-3 gqa on AVX2, 3.7e-3 and 1.2e-3 on VNNI).
      const bool int16 = dtype == DType::kInt8 && !int8_activations &&
                         (simd.kernels.find("f32-qs8w-gemm avx2") != std::string::npos ||
                          simd.kernels.find("f32-qs8w-gemm avx512") != std::string::npos);
      CHECK(worst <= (int16 ? 5e-3f : 1e-3f));
    }
  }
}

TEST_CASE("Quantized prefill in chunks equals one chunk", "[runtime][quantized]") {
  TempDir dir;
  const Run whole = run_fixture(dir, "griffin", DType::kInt4, DType::kInt8, false, false, 64);
  const Run chunked = run_fixture(dir, "griffin", DType::kInt4, DType::kInt8, false, false, 3);
  float worst = 0.0f;
  for (size_t i = 0; i < whole.logits.size(); ++i) {
    worst = std::max(worst, std::fabs(whole.logits[i] - chunked.logits[i]));
  }
  CHECK(worst <= 1e-4f);
}

TEST_CASE("bf16 and int8 weights give the same logits in any prefill chunking",
          "[runtime][quantized]") {
  // The f32-bf16w and f32-qs8w kernels sum a (token, row) pair the same way in tiles of every
  // size, so chunks of 3 and one chunk of 64 agree bit for bit. One token at a time runs the
  // GEMV, which sums in another order: equal to float rounding.
  TempDir dir;
  for (const char* name : {"griffin", "gqa"}) {
    for (DType dtype : {DType::kBF16, DType::kInt8}) {
      const Run whole = run_fixture(dir, name, dtype, dtype, false, false, 64);
      const Run chunked = run_fixture(dir, name, dtype, dtype, false, false, 3);
      const Run decoded = run_fixture(dir, name, dtype, dtype, false, false, 1);
      INFO(name << " " << dtype_name(dtype));
      CHECK(chunked.logits == whole.logits);
      float worst = 0.0f;
      for (size_t i = 0; i < whole.logits.size(); ++i) {
        worst = std::max(worst, std::fabs(whole.logits[i] - decoded.logits[i]));
      }
      CHECK(worst <= 1e-4f);
    }
  }
}
