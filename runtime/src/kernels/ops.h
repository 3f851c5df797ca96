// The model's small fused loops (docs/griffin-math.md §5-§8): RMSNorm, tanh-GELU gating, causal
// depthwise conv1d with state, the RG-LRU scan, RoPE, softmax and the soft cap. Plain scalar C++
// built for the baseline ISA, with no hand-written SIMD variants: at -O3 the compiler vectorizes
// the loops that call no math function (add, norm scale, conv taps, RoPE, softmax scale); the
// exp/tanh loops (RG-LRU, softmax) stay scalar. The two largest tanh loops, GELU gating and the
// soft cap, also have an AVX2 variant with glibc's vector tanhf (kernels/f32-tanh, chosen by
// dispatch.h), and so has the RG-LRU scan, with vector expf and expm1f (kernels/f32-rglru); the
// model runs the three split over the thread pool (parallel-ops.h), and the scalar loops here
// are their portable variants. Kernels cannot fail: shapes are checked when the
// session is planned.
#pragma once

#include <cstddef>
#include <cstdint>

// The attention loops (dot, add_scaled) run ~10 % of a 2B prefill: on x86 they are also built
// for AVX2 and picked at load by the CPU (GCC's target_clones). Neither the x86-64 baseline nor
// the "avx2" target enables FMA, so the compiler cannot fuse a multiply and an add: every clone
// keeps each element's operations and their order and gives the same bits (test_dot.cpp); only
// the vector width differs.
// Not under ThreadSanitizer: a clone's ifunc resolver runs while the program is relocated,
// before TSan's runtime starts, and the instrumented resolver crashed the TSan test binary.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define GRF_WIDEST_VECTORS __attribute__((target_clones("avx2", "default")))
#else
#define GRF_WIDEST_VECTORS
#endif

namespace griffin::ops {

// y[t] = x[t] / sqrt(mean(x[t]^2) + eps) * scale, scale = 1 + g precomputed (§5). [rows, width]
void rmsnorm(size_t rows, size_t width, const float* x, const float* scale, float eps, float* y);

// 0.5·u·(1 + tanh(sqrt(2/π)·(u + 0.044715·u³))) (§6)
float gelu_tanh(float u);

// out[i] = gelu_tanh(gate[i]) * other[i], in place into `out` allowed.
void gelu_gate(size_t count, const float* gate, const float* other, float* out);

// x[i] += y[i]
void add_inplace(size_t count, float* x, const float* y);

// Depthwise causal conv over `rows` new inputs u [rows, channels] with the previous K-1 inputs
// in `state` [K-1, channels] (oldest first). taps [K, channels] (tap K-1 = current token),
// bias [channels]. Writes v [rows, channels] and updates `state` to the last K-1 inputs (§7.2).
void conv1d_causal(size_t rows, size_t channels, size_t taps_count, const float* taps,
                   const float* bias, const float* u, float* state, float* v);

// RG-LRU over `rows` steps (§7.3), for `channels` channels whose rows are `stride` floats apart
// (a RglruScanKernel, kernels/f32-rglru: the scalar variant). gate_r, gate_i: pre-sigmoid gate
// activations; v: conv output; neg_c_softplus = -8·softplus(Λ') [channels]; h: state
// [channels] (f32), updated. positions[t] == 0 resets the state (h = i·v). Writes h_t into out.
void rglru_scan(size_t rows, size_t channels, size_t stride, const float* gate_r,
                const float* gate_i, const float* v, const float* neg_c_softplus,
                const int64_t* positions, float* h, float* out);

// Rotates the first `rotary_dims` of each head of x [heads, head_dim] in the halves layout:
// pair (j, j + rotary_dims/2) by angle position·inv_freq[j] (§7.4).
void rope(size_t heads, size_t head_dim, size_t rotary_dims, const float* inv_freq,
          int64_t position, float* x);

// Σ a[d]·b[d] in a fixed order that the compiler vectorizes: 8 partial sums (sum l takes the
// d ≡ l mod 8 below the last multiple of 8), added pairwise, then the tail in order. The same
// order on every call, so attention scores do not depend on chunking (§7.4's q·k).
float dot(size_t count, const float* a, const float* b);

// out[r · out_stride] = dot(count, a + r · a_stride, b) · scale for r < rows, with dot's bits
// (each row's eight partial sums in dot's order), but b read once for four rows at a time and
// the four rows' sums interleaved, where dot alone waits on one chain of additions. The
// attention's scores: the query heads that share a key.
void scaled_dots(size_t count, size_t rows, const float* a, size_t a_stride, const float* b,
                 float scale, float* out, size_t out_stride);

// scaled_dots against two keys at once: out[r · out_stride + c] = dot(count, a + r · a_stride,
// keys[c]) · scale for r < rows, c < 2, each with dot's bits. The attention's scores: the query
// heads of a token against a pair of keys.
void scaled_dots_pair(size_t count, size_t rows, const float* a, size_t a_stride,
                      const float* const* keys, float scale, float* out, size_t out_stride);

// y[i] += scale · x[i] (the attention's weighted sum of values).
void add_scaled(size_t count, float scale, const float* x, float* y);

// add_scaled(count, scales[j], x[j], y) for j = 0 .. rows - 1 in turn (rows <= 4), with its bits:
// y is loaded and stored once instead of once per row.
void add_scaled_rows(size_t count, size_t rows, const float* const* x, const float* scales,
                     float* y);

// add_scaled_rows(count, rows, x, scales + o · scales_stride, y + o · y_stride) for each of
// `outputs` outputs, with its bits: each x row is loaded once for two outputs. The query heads of
// a token, which share the value rows.
void add_scaled_rows_multi(size_t count, size_t rows, const float* const* x, size_t outputs,
                           const float* scales, size_t scales_stride, float* y, size_t y_stride);

// In-place softmax over `count` values, computed in f32 with the max subtracted.
void softmax(size_t count, float* x);

// x = cap·tanh(x / cap) (§8); cap 0 leaves x unchanged.
void soft_cap(size_t count, float cap, float* x);

}  // namespace griffin::ops
