// The elementwise loops that call tanh, per ISA: GELU gating (ops::gelu_gate, §6) and the logit
// soft cap (ops::soft_cap, §8). ops.cpp's scalar loops are the portable variant; the AVX2 and
// AVX-512 ones use glibc's vector tanhf. dispatch.h picks one per model (KernelTable::tanh), and
// parallel-ops.h splits it over the thread pool.
#pragma once

#include <cstddef>

namespace griffin {

// out[i] = gelu_tanh(gate[i]) · other[i]; in place into `out` allowed.
using GeluGateKernel = void (*)(size_t count, const float* gate, const float* other, float* out);
// x[i] = cap·tanh(x[i] / cap); cap <= 0 leaves x unchanged.
using SoftCapKernel = void (*)(size_t count, float cap, float* x);

#if defined(__x86_64__)
void grf_f32_gelu_gate__avx512f(size_t count, const float* gate, const float* other, float* out);
void grf_f32_soft_cap__avx512f(size_t count, float cap, float* x);
void grf_f32_gelu_gate__avx2(size_t count, const float* gate, const float* other, float* out);
void grf_f32_soft_cap__avx2(size_t count, float cap, float* x);
#endif

}  // namespace griffin
