// The forward pass over stacked token rows (docs/griffin-math.md §3-§8): one session's chunk
// (prefill; decode is a chunk of one) or one token of each of several sessions (batch decode).
// Every linear map runs once over all rows; the parts that read a sequence's own state (conv,
// RG-LRU scan, attention over its cache) run per sequence.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/src/model.h"
#include "runtime/src/session_state.h"

namespace griffin {

// The sequences of one forward call: `count` sessions, sequence i owning rows
// [i·tokens_each, (i+1)·tokens_each) of the RowScratch.
struct Sequences {
  SessionState* const* states;
  size_t count;
  size_t tokens_each;
  size_t rows() const { return count * tokens_each; }
  size_t first_row(size_t i) const { return i * tokens_each; }
};

// Runs `count` (<= state.chunk) tokens at positions state.position... and advances the
// position. The last token's logits land in state.logits; when `all_logits` is not null, the
// logits of every token are written there as rows of vocab_size floats. With `last_logits`
// false and no `all_logits`, no logits are computed: a prompt chunk that another chunk follows
// (one token's logits read the whole embedding table, 655 MB for 2B int8, and the next chunk
// would overwrite them unread). Token ids and the position limit must have been checked by the
// caller.
Status forward_chunk(const Model& model, SessionState& state, const int32_t* tokens, size_t count,
                     float* all_logits, bool last_logits = true);

// The logits of token `row` of the last forward_chunk into state.logits, for a chunk run
// without them when no chunk follows after all (a cancelled prompt). Its rows must be intact:
// nothing may have run on the session since.
Status chunk_row_logits(const Model& model, SessionState& state, size_t row);

// One token of each sequence (tokens_each == 1), stacked in `rows` (which must hold
// sequences.count rows, logits included): each sequence's logits land in its state.logits
// and its position advances by one.
Status forward_batch(const Model& model, RowScratch& rows, const Sequences& sequences,
                     const int32_t* tokens);

// The blocks (runtime/src/blocks/*.cpp). Each reads rows.normed [rows, D] and writes rows.mix.
Status recurrent_block(const Model& model, const LayerWeights& weights, size_t layer_index,
                       RowScratch& rows, const Sequences& sequences);
Status attention_block(const Model& model, const LayerWeights& weights, size_t layer_index,
                       RowScratch& rows, const Sequences& sequences);
Status mlp_block(const LayerWeights& weights, size_t hidden, RowScratch& rows, size_t count);

}  // namespace griffin
