// Scalar definitions of the fused loops (see ops.h).
#include "runtime/src/kernels/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace griffin::ops {

void rmsnorm(size_t rows, size_t width, const float* x, const float* scale, float eps, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * width;
    float* out = y + r * width;
    float sum = 0.0f;
    for (size_t i = 0; i < width; ++i) sum += in[i] * in[i];
    const float inv = 1.0f / std::sqrt(sum / static_cast<float>(width) + eps);
    for (size_t i = 0; i < width; ++i) out[i] = in[i] * inv * scale[i];
  }
}

float gelu_tanh(float u) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  return 0.5f * u * (1.0f + std::tanh(kSqrt2OverPi * (u + 0.044715f * u * u * u)));
}

void gelu_gate(size_t count, const float* gate, const float* other, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = gelu_tanh(gate[i]) * other[i];
}

void add_inplace(size_t count, float* x, const float* y) {
  for (size_t i = 0; i < count; ++i) x[i] += y[i];
}

void conv1d_causal(size_t rows, size_t channels, size_t taps_count, const float* taps,
                   const float* bias, const float* u, float* state, float* v) {
  const size_t history = taps_count - 1;
  // Input row s of the extended sequence [state; u]: s < history comes from the state.
  auto input_row = [&](size_t s) {
    return s < history ? state + s * channels : u + (s - history) * channels;
  };
  for (size_t t = 0; t < rows; ++t) {
    float* out = v + t * channels;
    std::memcpy(out, bias, channels * sizeof(float));
    for (size_t k = 0; k < taps_count; ++k) {
      const float* in = input_row(t + k);
      const float* w = taps + k * channels;
      for (size_t c = 0; c < channels; ++c) out[c] += w[c] * in[c];
    }
  }
  // The new state is the last `history` rows of [state; u].
  if (history == 0) return;
  if (rows >= history) {
    std::memcpy(state, u + (rows - history) * channels, history * channels * sizeof(float));
  } else {
    std::memmove(state, state + rows * channels, (history - rows) * channels * sizeof(float));
    std::memcpy(state + (history - rows) * channels, u, rows * channels * sizeof(float));
  }
}

void GRF_WIDEST_VECTORS add_scaled(size_t count, float scale, const float* x, float* y) {
  for (size_t i = 0; i < count; ++i) y[i] += scale * x[i];
}

void GRF_WIDEST_VECTORS add_scaled_rows(size_t count, size_t rows, const float* const* x,
                                        const float* scales, float* y) {
  if (rows != 4) {  // the last few rows of a head's keys
    for (size_t j = 0; j < rows; ++j) add_scaled(count, scales[j], x[j], y);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    float sum = y[i];
    sum += scales[0] * x[0][i];
    sum += scales[1] * x[1][i];
    sum += scales[2] * x[2][i];
    sum += scales[3] * x[3][i];
    y[i] = sum;
  }
}

namespace {
// add_scaled_rows_multi for two outputs and R rows: each x row is loaded once for both.
template <size_t R>
__attribute__((always_inline)) inline void add_scaled_rows_pair(size_t count, const float* const* x,
                                                                const float* scales0,
                                                                const float* scales1, float* y0,
                                                                float* y1) {
  // Locals, so the loop need not reload them after each store to y (they could alias it).
  float s0[R], s1[R];
  const float* rows[R];
  for (size_t j = 0; j < R; ++j) {
    s0[j] = scales0[j];
    s1[j] = scales1[j];
    rows[j] = x[j];
  }
  for (size_t i = 0; i < count; ++i) {
    float sum0 = y0[i], sum1 = y1[i];
#pragma GCC unroll 4
    for (size_t j = 0; j < R; ++j) {
      sum0 += s0[j] * rows[j][i];
      sum1 += s1[j] * rows[j][i];
    }
    y0[i] = sum0;
    y1[i] = sum1;
  }
}
}  // namespace

void GRF_WIDEST_VECTORS add_scaled_rows_multi(size_t count, size_t rows, const float* const* x,
                                              size_t outputs, const float* scales,
                                              size_t scales_stride, float* y, size_t y_stride) {
  size_t o = 0;
  for (; o + 2 <= outputs; o += 2) {
    const float* s0 = scales + o * scales_stride;
    float* y0 = y + o * y_stride;
    switch (rows) {
      case 4:
        add_scaled_rows_pair<4>(count, x, s0, s0 + scales_stride, y0, y0 + y_stride);
        break;
      case 3:
        add_scaled_rows_pair<3>(count, x, s0, s0 + scales_stride, y0, y0 + y_stride);
        break;
      case 2:
        add_scaled_rows_pair<2>(count, x, s0, s0 + scales_stride, y0, y0 + y_stride);
        break;
      default:
        add_scaled_rows_pair<1>(count, x, s0, s0 + scales_stride, y0, y0 + y_stride);
        break;
    }
  }
  if (o < outputs) add_scaled_rows(count, rows, x, scales + o * scales_stride, y + o * y_stride);
}

namespace {
float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}
}  // namespace

void rglru_scan(size_t rows, size_t channels, size_t stride, const float* gate_r,
                const float* gate_i, const float* v, const float* neg_c_softplus,
                const int64_t* positions, float* h, float* out) {
  for (size_t t = 0; t < rows; ++t) {
    const bool reset = positions[t] == 0;
    const size_t base = t * stride;
    for (size_t c = 0; c < channels; ++c) {
      const float r = sigmoid(gate_r[base + c]);
      const float i = sigmoid(gate_i[base + c]);
      const float gated = i * v[base + c];
      if (reset) {
        h[c] = gated;  // document start: decay 0, multiplier 1
      } else {
        const float log_a = neg_c_softplus[c] * r;
        const float a = std::exp(log_a);
        const float multiplier = std::sqrt(-std::expm1(2.0f * log_a));  // sqrt(1 - a²)
        h[c] = a * h[c] + multiplier * gated;
      }
      out[base + c] = h[c];
    }
  }
}

void rope(size_t heads, size_t head_dim, size_t rotary_dims, const float* inv_freq,
          int64_t position, float* x) {
  const size_t half = rotary_dims / 2;
  for (size_t j = 0; j < half; ++j) {
    const float angle = static_cast<float>(position) * inv_freq[j];
    const float c = std::cos(angle), s = std::sin(angle);
    for (size_t head = 0; head < heads; ++head) {
      float* row = x + head * head_dim;
      const float x1 = row[j], x2 = row[j + half];
      row[j] = x1 * c - x2 * s;
      row[j + half] = x2 * c + x1 * s;
    }
  }
}

namespace {
// dot's last steps: its eight partial sums added pairwise, then the tail from d in order.
// Elsewhere than x86 one copy that every caller calls: inlined into two callers, GCC on aarch64
// fused the tail's multiply-adds in one and not in the other, and the bits differed. On x86 no
// clone has FMA, so every inlined copy rounds alike (and a call from an AVX2 clone into this
// baseline-ISA function, with the ymm registers' upper halves in use, made dot 5 × slower).
#if defined(__x86_64__)
#define GRF_FINISH_DOT inline
#else
#define GRF_FINISH_DOT __attribute__((noinline))
#endif
GRF_FINISH_DOT float finish_dot(const float (&partial)[8], size_t d, size_t count, const float* a,
                                const float* b) {
  float sum = ((partial[0] + partial[4]) + (partial[2] + partial[6])) +
              ((partial[1] + partial[5]) + (partial[3] + partial[7]));
  for (; d < count; ++d) sum += a[d] * b[d];
  return sum;
}
}  // namespace

float GRF_WIDEST_VECTORS dot(size_t count, const float* a, const float* b) {
  // One running sum would be one chain of dependent adds (3-4 cycles each, not vectorizable
  // without reordering); eight independent ones vectorize into two SSE or one AVX register.
  float partial[8] = {};
  size_t d = 0;
  for (; d + 8 <= count; d += 8) {
    for (size_t l = 0; l < 8; ++l) partial[l] += a[d + l] * b[d + l];
  }
  return finish_dot(partial, d, count, a, b);
}

namespace {
// Eight floats as one value: lane l holds dot's partial[l].
typedef float Lanes __attribute__((vector_size(32)));

// scaled_dots for R rows. Inlined into each of scaled_dots' clones and built for its ISA (a
// function of its own would be built for the baseline ISA).
template <size_t R, size_t C>
__attribute__((always_inline)) inline void scaled_dots_block(size_t count, const float* a,
                                                             size_t a_stride,
                                                             const float* const* keys, float scale,
                                                             float* out, size_t out_stride) {
  Lanes sums[R][C] = {};
  size_t d = 0;
  for (; d + 8 <= count; d += 8) {
    Lanes x[C];
#pragma GCC unroll 4
    for (size_t c = 0; c < C; ++c) std::memcpy(&x[c], keys[c] + d, sizeof x[c]);
#pragma GCC unroll 8
    for (size_t i = 0; i < R; ++i) {
      Lanes y;
      std::memcpy(&y, a + i * a_stride + d, sizeof y);
#pragma GCC unroll 4
      for (size_t c = 0; c < C; ++c) sums[i][c] += y * x[c];
    }
  }
#pragma GCC unroll 8
  for (size_t i = 0; i < R; ++i) {
#pragma GCC unroll 4
    for (size_t c = 0; c < C; ++c) {
      float partial[8];
      std::memcpy(partial, &sums[i][c], sizeof partial);
      out[i * out_stride + c] = finish_dot(partial, d, count, a + i * a_stride, keys[c]) * scale;
    }
  }
}
}  // namespace

void GRF_WIDEST_VECTORS scaled_dots(size_t count, size_t rows, const float* a, size_t a_stride,
                                    const float* b, float scale, float* out, size_t out_stride) {
  // Rows in blocks of four to six, each with its own chain of additions, so the chains overlap
  // where dot alone waits on one. (GCC did not vectorize four rows written as arrays of eight
  // floats: a fifth of dot's speed; vectors of eight lanes it keeps in registers.)
  const float* const keys[1] = {b};
  size_t r = 0;
  while (r < rows) {
    const size_t left = rows - r;
    const float* block = a + r * a_stride;
    float* block_out = out + r * out_stride;
    if (left >= 8 || left == 4) {
      scaled_dots_block<4, 1>(count, block, a_stride, keys, scale, block_out, out_stride);
      r += 4;
    } else if (left == 7 || left == 5) {
      scaled_dots_block<5, 1>(count, block, a_stride, keys, scale, block_out, out_stride);
      r += 5;
    } else if (left == 6) {
      scaled_dots_block<6, 1>(count, block, a_stride, keys, scale, block_out, out_stride);
      r += 6;
    } else if (left >= 2) {
      scaled_dots_block<2, 1>(count, block, a_stride, keys, scale, block_out, out_stride);
      r += 2;
    } else {
      *block_out = dot(count, block, b) * scale;
      r += 1;
    }
  }
}

void GRF_WIDEST_VECTORS scaled_dots_pair(size_t count, size_t rows, const float* a, size_t a_stride,
                                         const float* const* keys, float scale, float* out,
                                         size_t out_stride) {
  // Four rows by two keys: 8 sums, 2 key vectors and a row's fill 11 of AVX2's 16 registers, and
  // each step loads 6 vectors for 8 products, where one key loads 5 for 4.
  size_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    scaled_dots_block<4, 2>(count, a + r * a_stride, a_stride, keys, scale, out + r * out_stride,
                            out_stride);
  }
  switch (rows - r) {
    case 3:
      scaled_dots_block<3, 2>(count, a + r * a_stride, a_stride, keys, scale, out + r * out_stride,
                              out_stride);
      break;
    case 2:
      scaled_dots_block<2, 2>(count, a + r * a_stride, a_stride, keys, scale, out + r * out_stride,
                              out_stride);
      break;
    case 1:
      scaled_dots_block<1, 2>(count, a + r * a_stride, a_stride, keys, scale, out + r * out_stride,
                              out_stride);
      break;
    default:
      break;
  }
}

void softmax(size_t count, float* x) {
  const float max = *std::max_element(x, x + count);
  float sum = 0.0f;
  for (size_t i = 0; i < count; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = 1.0f / sum;
  for (size_t i = 0; i < count; ++i) x[i] *= inv;
}

void soft_cap(size_t count, float cap, float* x) {
  if (cap <= 0.0f) return;
  const float inv = 1.0f / cap;
  for (size_t i = 0; i < count; ++i) x[i] = cap * std::tanh(x[i] * inv);
}

}  // namespace griffin::ops
