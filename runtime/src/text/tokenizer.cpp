// Tokenizer (see tokenizer.h): a thin wrapper over SentencePiece for encode/decode, plus a table
// of the raw bytes each token stands for, built once at load so that streaming detokenization
// (token_bytes -> Utf8Stream) needs no SentencePiece call and no allocation per token.
#include "runtime/src/text/tokenizer.h"

#include <sentencepiece_processor.h>

namespace griffin {

namespace {

// SentencePiece marks word starts with U+2581 LOWER ONE EIGHTH BLOCK; in text it is a space.
constexpr std::string_view kWordStart = "\xE2\x96\x81";
// What SentencePiece's own Decode prints for an unknown token: U+2047 DOUBLE QUESTION MARK,
// padded with spaces.
constexpr std::string_view kUnknownText = " \xE2\x81\x87 ";

std::string replace_word_starts(const std::string& piece) {
  std::string text;
  text.reserve(piece.size());
  size_t start = 0;
  for (size_t found; (found = piece.find(kWordStart, start)) != std::string::npos;) {
    text.append(piece, start, found - start);
    text += ' ';
    start = found + kWordStart.size();
  }
  text.append(piece, start, std::string::npos);
  return text;
}

// Byte-fallback pieces are spelled "<0xAB>" with two upper-case hex digits.
bool parse_byte_piece(const std::string& piece, char* byte) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return false;
  int value = 0;
  for (size_t i = 3; i < 5; ++i) {
    const char c = piece[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    value = value * 16 + digit;
  }
  *byte = static_cast<char>(value);
  return true;
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::load(std::string_view model_bytes) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
  tokenizer->processor_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  sentencepiece::SentencePieceProcessor& sp = *tokenizer->processor_;
  const auto loaded = sp.LoadFromSerializedProto(model_bytes);
  GRF_CHECK(loaded.ok(), kInvalidFile, "tokenizer: not a valid SentencePiece model (%zu bytes): %s",
            model_bytes.size(), loaded.ToString().c_str());

  const int count = sp.GetPieceSize();
  tokenizer->token_bytes_.resize(static_cast<size_t>(count));
  for (int id = 0; id < count; ++id) {
    std::string& bytes = tokenizer->token_bytes_[static_cast<size_t>(id)];
    if (sp.IsControl(id) || sp.IsUnused(id)) continue;  // bos, eos, pad, ...: no text
    if (sp.IsUnknown(id)) {
      bytes = kUnknownText;
    } else if (sp.IsByte(id)) {
      char byte;
      GRF_CHECK(parse_byte_piece(sp.IdToPiece(id), &byte), kInvalidFile,
                "tokenizer: byte piece %d is spelled \"%s\", expected <0xAB>", id,
                sp.IdToPiece(id).c_str());
      bytes.assign(1, byte);
    } else {
      bytes = replace_word_starts(sp.IdToPiece(id));
    }
  }
  return tokenizer;
}

int32_t Tokenizer::piece_count() const {
  return static_cast<int32_t>(token_bytes_.size());
}

Status Tokenizer::encode(std::string_view text, bool add_bos, int32_t bos_id,
                         std::vector<int32_t>* ids) const {
  GRF_CHECK(ids != nullptr, kInvalidArgument, "encode: ids is NULL");
  GRF_CHECK(!add_bos || (bos_id >= 0 && bos_id < piece_count()), kInvalidArgument,
            "encode: bos id %d is not in the vocabulary of %d pieces", bos_id, piece_count());
  std::vector<int> pieces;
  const auto encoded = processor_->Encode(text, &pieces);
  GRF_CHECK(encoded.ok(), kInvalidArgument, "encode: SentencePiece failed: %s",
            encoded.ToString().c_str());
  ids->clear();
  ids->reserve(pieces.size() + (add_bos ? 1 : 0));
  if (add_bos) ids->push_back(bos_id);
  ids->insert(ids->end(), pieces.begin(), pieces.end());
  return Status::ok_status();
}

Status Tokenizer::decode(const int32_t* ids, size_t count, std::string* text) const {
  GRF_CHECK(text != nullptr, kInvalidArgument, "decode: text is NULL");
  GRF_CHECK(ids != nullptr || count == 0, kInvalidArgument, "decode: ids is NULL");
  // Checked here because SentencePiece's answer to an out-of-range id does not name it.
  for (size_t i = 0; i < count; ++i) {
    GRF_CHECK(ids[i] >= 0 && ids[i] < piece_count(), kInvalidArgument,
              "decode: token %zu has id %d, outside the vocabulary of %d pieces", i, ids[i],
              piece_count());
  }
  const std::vector<int> pieces(ids, ids + count);
  const auto decoded = processor_->Decode(pieces, text);
  GRF_CHECK(decoded.ok(), kInvalidArgument, "decode: SentencePiece failed: %s",
            decoded.ToString().c_str());
  return Status::ok_status();
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
  if (id < 0 || id >= piece_count()) return {};
  return token_bytes_[static_cast<size_t>(id)];
}

int32_t Tokenizer::piece_to_id(std::string_view piece) const {
  // SentencePiece answers the unk id for any piece it does not know.
  const int id = processor_->PieceToId(piece);
  const int unk = processor_->unk_id();
  if (id == unk && piece != processor_->IdToPiece(unk)) return -1;
  return id;
}

}  // namespace griffin
