// The RG-LRU scan (§7.3) per ISA: ops::rglru_scan is the portable variant; the AVX2 one runs eight
// channels at a time with glibc's vector expf and expm1f. dispatch.h picks one per model
// (KernelTable::rglru) and parallel-ops.h splits the channels over the thread pool: channels are
// independent, and a variant computes a channel the same way wherever it sits, so any split
// gives the bits of one call.
#pragma once

#include <cstddef>
#include <cstdint>

namespace griffin {

// `channels` channels over `rows` steps; row t of gate_r, gate_i, v and out starts t · stride
// floats after the first (the pointers are at the first channel). gate_r, gate_i: pre-sigmoid
// gate activations; v: the conv output; neg_c_softplus = -8·softplus(Λ') [channels]; h: the
// state [channels] (f32), updated. positions[t] == 0 resets the state (h = i·v). out gets h_t.
using RglruScanKernel = void (*)(size_t rows, size_t channels, size_t stride, const float* gate_r,
                                 const float* gate_i, const float* v, const float* neg_c_softplus,
                                 const int64_t* positions, float* h, float* out);

#if defined(__x86_64__)
void grf_f32_rglru_scan__avx2(size_t rows, size_t channels, size_t stride, const float* gate_r,
                              const float* gate_i, const float* v, const float* neg_c_softplus,
                              const int64_t* positions, float* h, float* out);
#endif

}  // namespace griffin
