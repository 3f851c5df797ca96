// The generation loop (see generate.h): tokenize, prefill chunk by chunk (polling cancel),
// then sample -> feed -> detokenize -> stop checks, one token at a time. Text goes through the
// session's streaming detokenizer and then through the stop-sequence filter, so what reaches
// the callback is whole characters and never a stop sequence.
#include "runtime/src/generate.h"

#include <chrono>
#include <vector>

#include "runtime/src/text/stop_sequences.h"

namespace griffin {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool cancelled(const std::atomic<bool>& cancel) {
  return cancel.load(std::memory_order_relaxed);
}

// Hands text to the callback, remembering when it asks to stop.
class PieceSink {
 public:
  PieceSink(PieceCallback callback, void* user) : callback_(callback), user_(user) {}
  // Returns false once the callback has asked to stop.
  bool emit(std::string_view text, int32_t token) {
    if (callback_ != nullptr && !stopped_) {
      stopped_ = callback_(text.data(), text.size(), token, user_) != 0;
    }
    return !stopped_;
  }

 private:
  PieceCallback callback_;
  void* user_;
  bool stopped_ = false;
};

// The end-of-turn token of the file's chat format, -1 when the tokenizer has no such piece.
int32_t end_of_turn_id(const Model& model) {
  return model.tokenizer()->piece_to_id(model.tokenizer_info().end_of_turn);
}

bool has_global_attention(const Session& session) {
  return session.model().config().count_layers(BlockType::kGlobalAttention) > 0;
}

// Feeds the prompt in the session's prefill chunks (cancel polled before each; only the last
// computes logits), then runs the fed tokens through the streaming detokenizer too (output
// discarded) so the reply's first piece keeps its leading space.
Status feed_prompt(Session& session, const std::vector<int32_t>& tokens,
                   const std::atomic<bool>& cancel, GenerateStats* stats) {
  if (tokens.empty()) return Status::ok_status();  // a continuation with no new text
  size_t fed = 0;
  const Status status = session.prefill(tokens.data(), tokens.size(), nullptr, 0, &cancel, &fed);
  stats->prompt_tokens += static_cast<int32_t>(fed);
  GRF_RETURN_IF_ERROR(status);
  char discard[StopSequences::kMaxPushBytes + 1];
  for (size_t i = 0; i < fed; ++i) {
    size_t length = 0;
    GRF_RETURN_IF_ERROR(session.token_text(tokens[i], discard, sizeof discard, &length));
  }
  if (fed < tokens.size()) stats->stop_reason = StopReason::kCancelled;
  return Status::ok_status();
}

// Samples, feeds and streams tokens until a stop condition; sets stats->stop_reason.
Status decode_loop(Session& session, const GenerateParams& params, const std::atomic<bool>& cancel,
                   StopSequences& stops, PieceSink& sink, GenerateStats* stats) {
  const Model& model = session.model();
  const int32_t eos = model.tokenizer_info().eos_id;
  const int32_t end_of_turn = end_of_turn_id(model);
  const bool bounded = has_global_attention(session);
  char text[StopSequences::kMaxPushBytes + 1];
  stats->stop_reason = StopReason::kLength;
  while (stats->generated_tokens < params.max_tokens) {
    if (cancelled(cancel)) {
      stats->stop_reason = StopReason::kCancelled;
      return Status::ok_status();
    }
    // A global-attention session that is full ends the reply like max_tokens does.
    if (bounded && session.position() >= session.options().max_context) break;
    int32_t token = 0;
    GRF_RETURN_IF_ERROR(session.sample(params.sampler, params.repetition_window, &token));
    GRF_RETURN_IF_ERROR(session.decode(token));
    ++stats->generated_tokens;
    if (token == eos || token == end_of_turn) {
      stats->stop_reason = StopReason::kEndOfSequence;
      return Status::ok_status();
    }
    size_t length = 0;
    GRF_RETURN_IF_ERROR(session.token_text(token, text, sizeof text, &length));
    std::string_view release;
    const bool matched = stops.push(std::string_view(text, length), &release);
    if (matched) {
      if (!release.empty()) sink.emit(release, token);
      stats->stop_reason = StopReason::kSequence;
      return Status::ok_status();
    }
    if (!sink.emit(release, token)) {
      stats->stop_reason = StopReason::kCallback;
      return Status::ok_status();
    }
  }
  return Status::ok_status();
}

// The end of the text: held UTF-8 bytes (as U+FFFD) and held stop-sequence prefixes come out,
// unless the reply already ended at a stop sequence or the callback asked to stop.
Status finish_text(Session& session, StopSequences& stops, PieceSink& sink, GenerateStats* stats) {
  char flushed[16];
  size_t length = 0;
  GRF_RETURN_IF_ERROR(session.flush_text(flushed, sizeof flushed, &length));
  if (stats->stop_reason == StopReason::kSequence || stats->stop_reason == StopReason::kCallback) {
    return Status::ok_status();
  }
  std::string_view release;
  if (stops.push(std::string_view(flushed, length), &release)) {
    stats->stop_reason = StopReason::kSequence;
  } else {
    const std::string_view rest = stops.finish();
    // Both views are contiguous in the filter's buffer: one piece.
    release = std::string_view(release.data(), release.size() + rest.size());
  }
  if (!release.empty()) sink.emit(release, -1);  // the last piece: a stop request changes nothing
  return Status::ok_status();
}

}  // namespace

Status validate_generate_params(const GenerateParams& params) {
  GRF_CHECK(params.max_tokens > 0, kInvalidArgument, "max_tokens %d must be > 0",
            params.max_tokens);
  GRF_CHECK(params.repetition_window >= 0, kInvalidArgument, "repetition_window %lld must be >= 0",
            (long long)params.repetition_window);
  GRF_RETURN_IF_ERROR(validate_sampler_params(params.sampler));
  return StopSequences::validate(params.stop_sequences, params.stop_sequence_count);
}

Status generate(Session& session, std::string_view prompt, const GenerateParams& params,
                const std::atomic<bool>& cancel, PieceCallback callback, void* user,
                GenerateStats* stats) {
  *stats = GenerateStats();
  GRF_RETURN_IF_ERROR(validate_generate_params(params));
  const Model& model = session.model();
  GRF_CHECK(model.tokenizer() != nullptr, kUnsupported,
            "this model has no tokenizer (token ids only): generate needs text");

  const Clock::time_point prefill_start = Clock::now();
  const bool fresh = session.position() == 0;
  // The one allocation: SentencePiece's encoder allocates anyway. An empty continuation skips
  // it, so continuing a reply allocates nothing at all.
  std::vector<int32_t> tokens;
  if (fresh || !prompt.empty()) {
    GRF_RETURN_IF_ERROR(
        model.tokenizer()->encode(prompt, fresh, model.tokenizer_info().bos_id, &tokens));
  }
  // Refused before anything is fed, so the session stays as it was.
  GRF_CHECK(
      !has_global_attention(session) ||
          session.position() + static_cast<int64_t>(tokens.size()) <= session.options().max_context,
      kOutOfRange,
      "the prompt's %zu tokens at position %lld would pass max_context %lld of this "
      "global-attention model",
      tokens.size(), (long long)session.position(), (long long)session.options().max_context);
  GRF_RETURN_IF_ERROR(feed_prompt(session, tokens, cancel, stats));
  stats->prefill_seconds = seconds_since(prefill_start);
  if (params.reseed) session.reseed(params.seed);

  StopSequences stops;
  stops.reset(params.stop_sequences, params.stop_sequence_count);
  PieceSink sink(callback, user);
  const Clock::time_point decode_start = Clock::now();
  if (stats->stop_reason != StopReason::kCancelled) {
    GRF_RETURN_IF_ERROR(decode_loop(session, params, cancel, stops, sink, stats));
  }
  GRF_RETURN_IF_ERROR(finish_text(session, stops, sink, stats));
  stats->decode_seconds = seconds_since(decode_start);
  return Status::ok_status();
}

}  // namespace griffin
