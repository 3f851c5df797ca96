// Element conversions: bf16 round-to-nearest-even, f16 via FP16, widening is exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "format/dtype.h"

using namespace griffin;

namespace {
float from_bits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}
}  // namespace

TEST_CASE("bf16 keeps the top half of f32 and rounds to nearest even", "[format][dtype]") {
  CHECK(bf16_from_f32(1.0f) == 0x3f80);
  CHECK(bf16_from_f32(-2.0f) == 0xc000);
  // Exactly halfway between 0x3f80 and 0x3f81: ties go to the even pattern 0x3f80.
  CHECK(bf16_from_f32(from_bits(0x3f808000u)) == 0x3f80);
  // Halfway between 0x3f81 and 0x3f82: ties go to the even pattern 0x3f82.
  CHECK(bf16_from_f32(from_bits(0x3f818000u)) == 0x3f82);
  // Just above halfway rounds up, just below rounds down.
  CHECK(bf16_from_f32(from_bits(0x3f808001u)) == 0x3f81);
  CHECK(bf16_from_f32(from_bits(0x3f807fffu)) == 0x3f80);
  // Rounding can carry into the exponent.
  CHECK(bf16_from_f32(from_bits(0x3fffffffu)) == 0x4000);
  // sqrt(2560) = 50.596 rounds to 50.5 (docs/griffin-math.md §3).
  CHECK(f32_from_bf16(bf16_from_f32(std::sqrt(2560.0f))) == 50.5f);
  CHECK(f32_from_bf16(bf16_from_f32(std::sqrt(4096.0f))) == 64.0f);
}

TEST_CASE("bf16 keeps NaN a NaN and infinities infinite", "[format][dtype]") {
  CHECK(std::isnan(f32_from_bf16(bf16_from_f32(std::numeric_limits<float>::quiet_NaN()))));
  // A NaN whose payload sits only in the low bits must not round to infinity.
  CHECK(std::isnan(f32_from_bf16(bf16_from_f32(from_bits(0x7f800001u)))));
  CHECK(f32_from_bf16(bf16_from_f32(std::numeric_limits<float>::infinity())) ==
        std::numeric_limits<float>::infinity());
}

TEST_CASE("f16 conversion matches IEEE half precision", "[format][dtype]") {
  CHECK(f16_from_f32(1.0f) == 0x3c00);
  CHECK(f16_from_f32(-0.5f) == 0xb800);
  CHECK(f16_from_f32(65504.0f) == 0x7bff);  // largest finite half
  CHECK(f32_from_f16(0x3555) == Approx(0.333251953125f).margin(0));
  // 1 + 2^-11 is halfway between 1 and the next half: ties to even gives 1.
  CHECK(f16_from_f32(1.0f + 1.0f / 2048.0f) == 0x3c00);
}

TEST_CASE("convert_elements widens exactly and narrows by rounding", "[format][dtype]") {
  const float values[3] = {1.0f, from_bits(0x3f818000u), -3.25f};
  uint16_t bf16[3];
  convert_elements(DType::kF32, values, DType::kBF16, bf16, 3);
  CHECK(bf16[0] == 0x3f80);
  CHECK(bf16[1] == 0x3f82);
  CHECK(f32_from_bf16(bf16[2]) == -3.25f);
  float widened[3];
  convert_elements(DType::kBF16, bf16, DType::kF32, widened, 3);
  CHECK(widened[0] == 1.0f);
  CHECK(widened[2] == -3.25f);
  uint16_t half[3];
  convert_elements(DType::kBF16, bf16, DType::kF16, half, 3);
  CHECK(f32_from_f16(half[2]) == -3.25f);
}

TEST_CASE("dtype names parse in several spellings", "[format][dtype]") {
  CHECK(parse_dtype("bf16") == DType::kBF16);
  CHECK(parse_dtype("BF16") == DType::kBF16);
  CHECK(parse_dtype("float32") == DType::kF32);
  CHECK(parse_dtype("f16") == DType::kF16);
  CHECK_FALSE(parse_dtype("int3").has_value());
  CHECK(dtype_size(DType::kF32) == 4);
  CHECK(dtype_size(DType::kBF16) == 2);
}
