// Element type helpers (see dtype.h).
#include "format/dtype.h"

#include <fp16.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace griffin {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kInt8: return 1;
    case DType::kInt4: return 0;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kInt8: return "int8";
    case DType::kInt4: return "int4";
  }
  return "unknown";
}

std::optional<DType> parse_dtype(const std::string& name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "f32" || lower == "float32" || lower == "fp32") return DType::kF32;
  if (lower == "f16" || lower == "float16" || lower == "fp16" || lower == "half") return DType::kF16;
  if (lower == "bf16" || lower == "bfloat16") return DType::kBF16;
  if (lower == "int8" || lower == "q8") return DType::kInt8;
  if (lower == "int4" || lower == "q4") return DType::kInt4;
  return std::nullopt;
}

uint16_t bf16_from_f32(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  const uint32_t rounding_bias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding_bias) >> 16);
}

float f32_from_bf16(uint16_t bits) {
  const uint32_t widened = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &widened, sizeof value);
  return value;
}

uint16_t f16_from_f32(float value) { return fp16_ieee_from_fp32_value(value); }
float f32_from_f16(uint16_t bits) { return fp16_ieee_to_fp32_value(bits); }

float load_as_f32(DType dtype, const void* data, size_t index) {
  switch (dtype) {
    case DType::kF32: {
      float value;
      std::memcpy(&value, static_cast<const char*>(data) + 4 * index, 4);
      return value;
    }
    case DType::kF16:
    case DType::kBF16: {
      uint16_t bits;
      std::memcpy(&bits, static_cast<const char*>(data) + 2 * index, 2);
      return dtype == DType::kF16 ? f32_from_f16(bits) : f32_from_bf16(bits);
    }
    case DType::kInt8:
    case DType::kInt4: break;  // quantized: see format/quant.h
  }
  return 0.0f;
}

void convert_elements(DType src_dtype, const void* src, DType dst_dtype, void* dst, size_t count) {
  if (src_dtype == dst_dtype) {
    std::memcpy(dst, src, count * dtype_size(src_dtype));
    return;
  }
  char* out = static_cast<char*>(dst);
  for (size_t i = 0; i < count; ++i) {
    const float value = load_as_f32(src_dtype, src, i);
    if (dst_dtype == DType::kF32) {
      std::memcpy(out + 4 * i, &value, 4);
    } else {
      const uint16_t bits = dst_dtype == DType::kF16 ? f16_from_f32(value) : bf16_from_f32(value);
      std::memcpy(out + 2 * i, &bits, 2);
    }
  }
}

}  // namespace griffin
