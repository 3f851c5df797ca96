// Element types of tensors in .griffin files and checkpoints, and conversions between them.
// f16 uses the FP16 library; bf16 is a few bit operations that FP16 (2020) does not provide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace griffin {

// Values equal griffin::fb::DType (schema/griffin_model.fbs); never renumbered. kInt8 and kInt4
// are weight-only quantized matrix formats (format/quant.h); element conversions below are
// for the float types only.
enum class DType : uint8_t { kF32 = 0, kF16 = 1, kBF16 = 2, kInt8 = 3, kInt4 = 4 };

size_t dtype_size(DType dtype);  // bytes per element of a float type; 1 for int8, 0 for int4
const char* dtype_name(DType dtype);  // "f32", "f16", "bf16", "int8", "int4"
std::optional<DType> parse_dtype(const std::string& name);  // accepts "f32", "F32", "float32", ...

// bfloat16 keeps the top 16 bits of an IEEE float32; rounding is to nearest, ties to even, and NaN
// stays NaN (a quiet NaN with the sign kept).
uint16_t bf16_from_f32(float value);
float f32_from_bf16(uint16_t bits);
uint16_t f16_from_f32(float value);
float f32_from_f16(uint16_t bits);

// Reads element `index` of a little-endian buffer of `dtype` as float32.
float load_as_f32(DType dtype, const void* data, size_t index);

// Converts `count` elements from `src` (in `src_dtype`) into `dst` (in `dst_dtype`).
// Same-type conversion is a copy; every other pair goes through float32, which is exact for
// widening and rounds to nearest even for narrowing.
void convert_elements(DType src_dtype, const void* src, DType dst_dtype, void* dst, size_t count);

}  // namespace griffin
