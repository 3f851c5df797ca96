// The tanh loops (f32-tanh-loops.h) sixteen lanes at a time with glibc's AVX-512 vector tanhf
// (`_ZGVeN16v_tanhf`, libmvec, within 1 ulp like the AVX2 one; the two differ in the last bit of
// about a third of their results). On an Intel Xeon it took 0.44-0.50 ns an element against the
// AVX2 variant's 1.1-1.3, and the GELU gate's tanh had been ~2 % of a 2B int8 prefill's samples.
#include <immintrin.h>

#include "runtime/src/kernels/f32-tanh/f32-tanh-loops.h"
#include "runtime/src/kernels/f32-tanh/f32-tanh.h"
#include "runtime/src/kernels/x86-f32-vectors.h"

extern "C" __m512 _ZGVeN16v_tanhf(__m512 x);  // glibc >= 2.35, libmvec

namespace griffin {
namespace {

struct Avx512Tanh : Avx512Floats {
  static Vector tanh(Vector x) { return _ZGVeN16v_tanhf(x); }
};

}  // namespace

void grf_f32_gelu_gate__avx512f(size_t count, const float* gate, const float* other, float* out) {
  TanhLoops<Avx512Tanh>::gelu_gate_loop(count, gate, other, out);
}

void grf_f32_soft_cap__avx512f(size_t count, float cap, float* x) {
  TanhLoops<Avx512Tanh>::soft_cap_loop(count, cap, x);
}

}  // namespace griffin
