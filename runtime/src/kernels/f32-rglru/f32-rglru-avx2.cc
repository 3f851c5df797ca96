// The RG-LRU scan (§7.3) eight channels at a time with glibc's vector expf and expm1f (libmvec,
// x86-64 vector ABI: `_ZGVdN8v_*` are the AVX2 variants, within a few ulp). The scalar scan
// spends most of its time in expf and expm1f, 5 per channel and step; it ran on one thread while
// the pool's other threads waited, ~9 % of a 2B prefill's time. No library we use has these
// loops vectorized (XNNPACK's sigmoid is an operator over a whole tensor, without the
// recurrence). A channel's state stays in a register across the steps. The channels past the
// last multiple of eight go through masked loads and stores and the same arithmetic (explicit
// products, FMAs and IEEE square roots and divisions only), so a channel's bits do not depend on
// where it sits: any channel split over the pool, and any prefill chunking, gives the same result.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/f32-rglru/f32-rglru.h"

extern "C" __m256 _ZGVdN8v_expf(__m256 x);    // glibc >= 2.22, libmvec
extern "C" __m256 _ZGVdN8v_expm1f(__m256 x);  // glibc >= 2.35, libmvec

namespace griffin {
namespace {

constexpr size_t kLanes = 8;

__m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = _ZGVdN8v_expf(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

// Channels [c, c + 8) of which the lanes in `mask` exist (all of them but in the last group).
void scan8(size_t rows, size_t stride, const float* gate_r, const float* gate_i, const float* v,
           const float* neg_c_softplus, const int64_t* positions, float* h, float* out,
           __m256i mask) {
  const __m256 neg_c = _mm256_maskload_ps(neg_c_softplus, mask);
  __m256 state = _mm256_maskload_ps(h, mask);
  for (size_t t = 0; t < rows; ++t) {
    const size_t base = t * stride;
    const __m256 r = sigmoid8(_mm256_maskload_ps(gate_r + base, mask));
    const __m256 i = sigmoid8(_mm256_maskload_ps(gate_i + base, mask));
    const __m256 gated = _mm256_mul_ps(i, _mm256_maskload_ps(v + base, mask));
    if (positions[t] == 0) {
      state = gated;  // document start: decay 0, multiplier 1
    } else {
      const __m256 log_a = _mm256_mul_ps(neg_c, r);
      const __m256 a = _ZGVdN8v_expf(log_a);
      // sqrt(1 - a²) = sqrt(-expm1(2 log a))
      const __m256 minus_expm1 =
          _mm256_sub_ps(_mm256_setzero_ps(), _ZGVdN8v_expm1f(_mm256_add_ps(log_a, log_a)));
      const __m256 multiplier = _mm256_sqrt_ps(minus_expm1);
      state = _mm256_fmadd_ps(a, state, _mm256_mul_ps(multiplier, gated));
    }
    _mm256_maskstore_ps(out + base, mask, state);
  }
  _mm256_maskstore_ps(h, mask, state);
}

}  // namespace

void grf_f32_rglru_scan__avx2(size_t rows, size_t channels, size_t stride, const float* gate_r,
                              const float* gate_i, const float* v, const float* neg_c_softplus,
                              const int64_t* positions, float* h, float* out) {
  for (size_t c = 0; c < channels; c += kLanes) {
    const size_t lanes = channels - c < kLanes ? channels - c : kLanes;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    scan8(rows, stride, gate_r + c, gate_i + c, v + c, neg_c_softplus + c, positions, h + c,
          out + c, mask);
  }
}

}  // namespace griffin
