// The tanh loops (f32-tanh-loops.h) eight lanes at a time with glibc's AVX2 vector tanhf
// (libmvec, x86-64 vector ABI: `_ZGVdN8v_tanhf`, within 1 ulp). The scalar tanhf costs ~35 ns an
// element on Zen 1, libmvec's ~2.3 ns; decode runs ~500k of them per 2B token, prefill ~250k per
// prompt token.
#include <immintrin.h>

#include "runtime/src/kernels/f32-tanh/f32-tanh-loops.h"
#include "runtime/src/kernels/f32-tanh/f32-tanh.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

extern "C" __m256 _ZGVdN8v_tanhf(__m256 x);  // glibc >= 2.35, libmvec

namespace griffin {
namespace {

struct Avx2Tanh : Avx2Floats {
  static Vector tanh(Vector x) { return _ZGVdN8v_tanhf(x); }
};

}  // namespace

void grf_f32_gelu_gate__avx2(size_t count, const float* gate, const float* other, float* out) {
  TanhLoops<Avx2Tanh>::gelu_gate_loop(count, gate, other, out);
}

void grf_f32_soft_cap__avx2(size_t count, float cap, float* x) {
  TanhLoops<Avx2Tanh>::soft_cap_loop(count, cap, x);
}

}  // namespace griffin
