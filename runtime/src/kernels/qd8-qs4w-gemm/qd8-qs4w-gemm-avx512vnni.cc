// int8 activations × int4 weights (f16 group scales) with AVX-512 VNNI.
// Prefill and decode batches of five or more: exact int32 group dots on repacked 16- and 8-row
// blocks (qd8-vnni-rows.h). Decode of up to four tokens (GemmArgs::decode): 512-bit vectors over
// the rows as stored, 4 groups per load (qd8-qs4w-avx512-decode.h), which stream a single token
// at about twice the rate of the 256-bit tiles; they sum in another order, so a decoded token
// agrees with its prefilled value to float rounding. Rows of more than 8192 groups (none in
// RecurrentGemma) prefill on the 256-bit tiles of qd8-x86-tile.h. Rows repacked at load
// (GemmArgs::w_packed, repack_weights: nibbles kept packed, 32 rows interleaved, with their
// scales) are read there by every call, decode too, with the bits of their prefill.
// Two variants differ only in how a 32-row block's prefill passes go, with the same bits: 8 tokens
// a pass through the assembly loop (avx512vnni_eight_tokens, chosen on Intel CPUs: on a Xeon the
// default 2B int4 prefill ran 1-21 % faster with it), or 6 through the intrinsics (avx512vnni,
// elsewhere: on Zen 4, in turns, 2B int4 prefill without the assembly loop ran faster in 14 of 16
// pairs, per group +4-9 %, per token +10-23 %, power of two +11-16 %, repacked +5-15 %;
// docs/benchmarks/zen4/stop66/pairs.txt).
#include "runtime/src/kernels/qd8-qs4w-avx512-decode.h"
#include "runtime/src/kernels/qd8-vnni-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

static_assert(kMaxTiledDecodeTokens == 4, "Avx512Decode has tiles for one to four tokens");

namespace {

template <typename Rows>  // Int4Rows, Int4RowsEightTokens
void qs4w_gemm(const GemmArgs& p, size_t n_begin, size_t n_end) {
  // Repacked at load: every call reads the packed blocks.
  if (p.w_packed != nullptr && vnni_repacked<Rows>(p, n_begin, n_end)) return;
  if (p.decode && p.m <= kMaxTiledDecodeTokens) {
    if (p.m > 0) Avx512Decode<Int4Decode>::run(p, n_begin, n_end);
    return;
  }
  if (!vnni_repacked<Rows>(p, n_begin, n_end)) {
    TiledGemm<Qs4Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
  }
}

}  // namespace

void grf_qd8_qs4w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  qs4w_gemm<Int4Rows>(p, n_begin, n_end);
}

void grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens(const GemmArgs& p, size_t n_begin,
                                                        size_t n_end) {
  qs4w_gemm<Int4RowsEightTokens>(p, n_begin, n_end);
}

void grf_qd8_qs4w_repack__avx512vnni(const uint8_t* w, size_t row_bytes, const uint8_t* scales,
                                     size_t groups, uint8_t* out) {
  Int4Rows::repack32_at_load(w, row_bytes, reinterpret_cast<const uint16_t*>(scales), groups, out);
}

}  // namespace griffin
