// Token sampling (see sampler.h): the filter pipeline penalty -> temperature -> top-k ->
// softmax -> top-p -> min-p -> one draw, run over a caller-provided workspace so that the
// per-token path never allocates. The generator is xoshiro256** seeded through splitmix64.
#include "runtime/src/sampling/sampler.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace griffin {

Status validate_sampler_params(const SamplerParams& params) {
  // Written as "!(in range)" so that NaN, which fails every comparison, is rejected too.
  GRF_CHECK(std::isfinite(params.temperature) && params.temperature >= 0.0f, kInvalidArgument,
            "temperature must be finite and >= 0, got %g", params.temperature);
  GRF_CHECK(params.top_k >= 0, kInvalidArgument, "top_k must be >= 0 (0 = off), got %d",
            params.top_k);
  GRF_CHECK(params.top_p > 0.0f && params.top_p <= 1.0f, kInvalidArgument,
            "top_p must be in (0, 1] (1 = off), got %g", params.top_p);
  GRF_CHECK(params.min_p >= 0.0f && params.min_p <= 1.0f, kInvalidArgument,
            "min_p must be in [0, 1] (0 = off), got %g", params.min_p);
  GRF_CHECK(std::isfinite(params.repetition_penalty) && params.repetition_penalty > 0.0f,
            kInvalidArgument, "repetition_penalty must be finite and > 0 (1 = off), got %g",
            params.repetition_penalty);
  return Status::ok_status();
}

// --- SamplerRng: xoshiro256** (Blackman & Vigna, 2018) -----------------------------------------
// 256 bits of state, period 2^256 - 1, passes BigCrush, and is plain integer arithmetic, so a
// seed gives the same stream on every platform. The state must not be all zero, so the seed is
// expanded through splitmix64, which maps any 64-bit seed (including 0) to a well-mixed state.

namespace {

uint64_t splitmix64_next(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ull;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotate_left(uint64_t x, int bits) {
  return (x << bits) | (x >> (64 - bits));
}

}  // namespace

void SamplerRng::reseed(uint64_t seed) {
  for (uint64_t& word : state_) word = splitmix64_next(seed);
}

uint64_t SamplerRng::next_u64() {
  const uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

float SamplerRng::next_unit_float() {
  // 24 bits fill a float mantissa exactly, so every value k / 2^24 is representable and the
  // result is uniform on [0, 1) and never rounds up to 1. The top bits are the best mixed ones.
  return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f);
}

// --- sample_token --------------------------------------------------------------------------------

namespace {

// Candidate order: higher value first, ties to the lower id. A total order on ids, so sorted
// candidates, and therefore the draws for a given seed, do not depend on the std::sort used.
struct ByValueDescending {
  const float* values;
  bool operator()(int32_t a, int32_t b) const {
    return values[a] > values[b] || (values[a] == values[b] && a < b);
  }
};

// A NaN would break the strict ordering std::sort relies on; it becomes "never pick this".
float nan_to_banned(float logit) {
  return std::isnan(logit) ? -std::numeric_limits<float>::infinity() : logit;
}

// The penalty is computed from the untouched logit, so an id that occurs several times in
// `recent` is penalised exactly once without remembering which ids were already seen.
void apply_repetition_penalty(const float* logits, size_t vocab_size, float penalty,
                              const int32_t* recent, size_t recent_count, float* values) {
  if (penalty == 1.0f) return;
  for (size_t i = 0; i < recent_count; ++i) {
    const int32_t id = recent[i];
    if (id < 0 || static_cast<size_t>(id) >= vocab_size) continue;
    const float logit = nan_to_banned(logits[id]);
    values[id] = logit > 0.0f ? logit / penalty : logit * penalty;
  }
}

int32_t argmax(const float* values, size_t count) {
  size_t best = 0;
  for (size_t i = 1; i < count; ++i) {
    if (values[i] > values[best]) best = i;  // strict: ties keep the lower id
  }
  return static_cast<int32_t>(best);
}

// Top-p without top-k would sort the whole vocabulary. A cheap partition first drops tokens that
// cannot be in the nucleus: if the nucleus ends at rank j, the tokens from rank j on hold more
// than 1 - top_p of the mass, and there are at most n of them, each <= p(j), so every kept token
// has p > (1 - top_p) / n. The factor 1/2 keeps float rounding of the sums on the safe side.
size_t drop_outside_nucleus_bound(const float* weights, float weight_sum, float top_p,
                                  int32_t* candidates, size_t count) {
  const float bound = 0.5f * (1.0f - top_p) * weight_sum / static_cast<float>(count);
  int32_t* end = std::remove_if(candidates, candidates + count,
                                [&](int32_t id) { return weights[id] < bound; });
  return static_cast<size_t>(end - candidates);
}

}  // namespace

int32_t sample_token(const float* logits, size_t vocab_size, const SamplerParams& params,
                     const int32_t* recent, size_t recent_count, SamplerRng& rng,
                     SamplerWorkspace& workspace) {
  assert(vocab_size > 0 && workspace.capacity >= vocab_size);
  float* values = workspace.values;         // [vocab_size] logits, later softmax weights
  int32_t* candidates = workspace.indices;  // [vocab_size] ids still in the running
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();

  for (size_t i = 0; i < vocab_size; ++i) values[i] = nan_to_banned(logits[i]);
  apply_repetition_penalty(logits, vocab_size, params.repetition_penalty, recent, recent_count,
                           values);
  if (params.temperature == 0.0f) return argmax(values, vocab_size);

  for (size_t i = 0; i < vocab_size; ++i) values[i] /= params.temperature;

  // Top-k: nth_element finds the k best in O(V), then only those k are sorted.
  size_t count = vocab_size;
  bool sorted = false;
  for (size_t i = 0; i < vocab_size; ++i) candidates[i] = static_cast<int32_t>(i);
  if (params.top_k > 0 && static_cast<size_t>(params.top_k) < vocab_size) {
    count = static_cast<size_t>(params.top_k);
    const ByValueDescending order{values};
    std::nth_element(candidates, candidates + count - 1, candidates + vocab_size, order);
    std::sort(candidates, candidates + count, order);
    sorted = true;
  }

  // Softmax with the max subtracted, left unnormalised: the best token has weight exactly 1, and
  // the filters below compare against the running sum instead of dividing every weight.
  float max_value = kNegInf;
  for (size_t i = 0; i < count; ++i) max_value = std::max(max_value, values[candidates[i]]);
  // -inf: every token is banned; +inf: exp would give inf/inf. Either way take the best token.
  if (std::isinf(max_value)) return sorted ? candidates[0] : argmax(values, vocab_size);
  float weight_sum = 0.0f;
  for (size_t i = 0; i < count; ++i) {
    float& value = values[candidates[i]];
    value = std::exp(value - max_value);
    weight_sum += value;
  }

  // Top-p: the shortest prefix, by descending probability, holding at least top_p of the mass.
  if (params.top_p < 1.0f) {
    if (!sorted) {
      count = drop_outside_nucleus_bound(values, weight_sum, params.top_p, candidates, count);
      std::sort(candidates, candidates + count, ByValueDescending{values});
      sorted = true;
    }
    const float target = params.top_p * weight_sum;
    float cumulative = 0.0f;
    size_t kept = 0;
    while (kept < count) {
      cumulative += values[candidates[kept++]];
      if (cumulative >= target) break;
    }
    count = kept;
  }

  // Min-p: drop p < min_p * p_max; p_max has weight 1, so the threshold is min_p itself. The
  // best token always survives (1 >= min_p).
  if (params.min_p > 0.0f) {
    if (sorted) {
      size_t kept = 1;
      while (kept < count && values[candidates[kept]] >= params.min_p) ++kept;
      count = kept;
    } else {
      int32_t* end = std::remove_if(candidates, candidates + count,
                                    [&](int32_t id) { return values[id] < params.min_p; });
      count = static_cast<size_t>(end - candidates);
    }
  }

  // One draw over the survivors; scaling the draw by their total renormalises them.
  float kept_sum = 0.0f;
  for (size_t i = 0; i < count; ++i) kept_sum += values[candidates[i]];
  const float target = rng.next_unit_float() * kept_sum;
  float cumulative = 0.0f;
  for (size_t i = 0; i < count; ++i) {
    cumulative += values[candidates[i]];
    if (target < cumulative) return candidates[i];
  }
  // Not reached: the weights are finite, the last cumulative equals kept_sum (same additions in
  // the same order) and target < kept_sum because the draw is < 1.
  return candidates[0];
}

}  // namespace griffin
