// The SentencePiece tokenizer embedded in a .griffin file, plus the byte-level view of each
// token that streaming detokenization needs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace griffin {

class Tokenizer {
 public:
  // `model_bytes`: a serialized SentencePiece ModelProto (copied).
  static Result<std::unique_ptr<Tokenizer>> load(std::string_view model_bytes);
  ~Tokenizer();

  int32_t piece_count() const;
  // Token ids of `text`, with `bos_id` first when add_bos. Thread-safe (const).
  Status encode(std::string_view text, bool add_bos, int32_t bos_id,
                std::vector<int32_t>* ids) const;
  // Text of `ids` as SentencePiece decodes it (control tokens vanish, leading space dropped).
  Status decode(const int32_t* ids, size_t count, std::string* text) const;
  // The raw bytes one token stands for: "▁" becomes a space, byte-fallback pieces "<0xAB>"
  // become that byte, control tokens (bos, eos, pad, …) and unused ids give nothing, unknown
  // gives SentencePiece's " ⁇ ". Precomputed at load: no allocation per call.
  std::string_view token_bytes(int32_t id) const;
  // The id of `piece`, or -1 when the vocabulary has no such piece.
  int32_t piece_to_id(std::string_view piece) const;

 private:
  Tokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  std::vector<std::string> token_bytes_;  // by id
};

}  // namespace griffin
