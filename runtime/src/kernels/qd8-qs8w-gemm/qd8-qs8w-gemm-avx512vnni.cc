// int8 activations × int8 weights with AVX-512 VNNI. Prefill and decode batches of five or
// more: exact int32 group dots on repacked 16- and 8-row blocks (qd8-vnni-rows.h; the weights
// go in as q xor 0x80 = q + 128, and each group takes off 128 · Σa). Decode of up to four
// tokens (GemmArgs::decode): 512-bit vectors over the rows as stored, 2 groups per load
// (qd8-qs8w-avx512-decode.h), which sum in another order and so agree with the prefilled value
// to float rounding; a token too wide for their stack (Avx512Decode::fits: none in RecurrentGemma)
// decodes as it prefills. Rows of more than 8192 groups (none in RecurrentGemma) prefill on the
// 256-bit tiles of qd8-x86-tile.h. Decode batches of five or more with one activation scale per
// token sum each row whole in int32 on the rows as stored (qd8-qs8w-avx512-token.h), with the
// bits of their prefill. Rows repacked at load (GemmArgs::w_packed, repack_weights) are read
// repacked by every call, decode too, with the bits of their prefill.
#include "runtime/src/kernels/qd8-qs8w-avx512-decode.h"
#include "runtime/src/kernels/qd8-qs8w-avx512-token.h"
#include "runtime/src/kernels/qd8-vnni-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/tiling.h"

namespace griffin {

static_assert(kMaxTiledDecodeTokens == 4, "Avx512Decode has tiles for one to four tokens");

void grf_qd8_qs8w_gemm_ukernel__avx512vnni(const GemmArgs& p, size_t n_begin, size_t n_end) {
  // Repacked at load: every call reads the packed blocks.
  if (p.w_packed != nullptr && vnni_repacked<Int8Rows>(p, n_begin, n_end)) return;
  if (p.decode && p.m <= kMaxTiledDecodeTokens && Avx512Decode<Int8Decode>::fits(p)) {
    if (p.m > 0) Avx512Decode<Int8Decode>::run(p, n_begin, n_end);
    return;
  }
  if (p.decode && p.aq_token_scales && p.kp <= kMaxTokenScaleKp) {
    token_rows(p, n_begin, n_end);
    return;
  }
  if (!vnni_repacked<Int8Rows>(p, n_begin, n_end)) {
    TiledGemm<Qs8Tile<VnniDot>, 4, 4, 4>::run(p, n_begin, n_end);
  }
}

void grf_qd8_qs8w_repack__avx512vnni(const uint8_t* w, size_t row_bytes,
                                     const uint8_t* /*scales: one a row, read as stored*/,
                                     size_t groups, uint8_t* out) {
  repack_rows32<Int8Rows>(w, row_bytes, 0, groups, reinterpret_cast<__m512i*>(out));
}

}  // namespace griffin
