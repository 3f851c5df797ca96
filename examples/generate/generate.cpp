// griffin-generate: generates text (or token ids) from a .griffin model. Tokenizes the prompt,
// prefills it, then samples and decodes token by token, streaming the text to stdout; timings go
// to stderr. Flags and defaults: examples/README.md, or griffin-generate --help.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "examples/common/cli_checks.h"
#include "examples/common/model_flags.h"
#include "examples/common/tool_common.h"

namespace {

using namespace griffin_tools;

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) {
  g_interrupted = 1;
}

struct Options {
  std::string model_path, prompt, token_list;
  int32_t max_new_tokens = 64;
  float temperature = 0.8f;
  int32_t top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  float repeat_penalty = 1.0f;
  int32_t repeat_window = 64;
  uint64_t seed = 0;
  ModelFlags model;  // --threads, --int8-activations, --prefault, --lock-weights, --huge-pages
  int32_t chunk = 0;
  bool chat = false, verbose = false;
  bool use_tokens = false;  // --tokens was given (possibly empty, which the parser rejects)
  std::string save_state, load_state;  // session snapshot files
  int32_t max_context = 0;             // 0: what the run needs (4096 with a state file)
};

// Writes generated tokens to stdout as they arrive: text from the session's streaming
// detokenizer when the model has a tokenizer, else ids separated by spaces. Flushes every token.
class TokenPrinter {
 public:
  TokenPrinter(griffin_session* session, bool as_text)
      : session_(session), as_text_(as_text), text_(256) {}

  // Runs the prompt through the streaming detokenizer without printing it, so the first
  // generated piece keeps its leading space (the detokenizer drops it only at the text start).
  void prime(const std::vector<int32_t>& prompt) {
    if (!as_text_) return;
    size_t length = 0;
    for (int32_t token : prompt) {
      griffin_session_token_text(session_, token, text_.data(), text_.size(), &length);
    }
  }

  void print(int32_t token) {
    if (!as_text_) {
      std::printf("%s%d", printed_ ? " " : "", token);
      printed_ = true;
      std::fflush(stdout);
      return;
    }
    size_t length = 0;
    griffin_status status =
        griffin_session_token_text(session_, token, text_.data(), text_.size(), &length);
    if (status == GRIFFIN_ERR_OUT_OF_RANGE) {  // nothing consumed: retry with room
      text_.resize(length + 1);
      status = griffin_session_token_text(session_, token, text_.data(), text_.size(), &length);
    }
    if (status == GRIFFIN_ERR_INVALID_ARGUMENT) {
      // The id is in the vocabulary (the runtime fed it) but past the tokenizer's pieces: a
      // padded vocabulary. It has no text.
      ++without_text_;
      return;
    }
    check(status, "griffin_session_token_text", session_);
    std::fwrite(text_.data(), 1, length, stdout);
    printed_ = printed_ || length > 0;
    std::fflush(stdout);
  }

  void finish() {
    if (printed_) std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  int64_t tokens_without_text() const { return without_text_; }

 private:
  griffin_session* session_;
  bool as_text_;
  std::vector<char> text_;
  bool printed_ = false;
  int64_t without_text_ = 0;
};

// The prompt ids: --tokens verbatim, else the tokenized prompt, with BOS on a fresh session
// (a session restored with --load-state continues its text: no BOS), in the file's chat format
// with --chat.
std::vector<int32_t> prompt_tokens(const griffin_model* model, const griffin_model_info& info,
                                   const Options& options) {
  if (options.use_tokens) return parse_token_list(options.token_list);
  const bool add_bos = options.load_state.empty();
  if (options.prompt.empty() && !add_bos) return {};  // continue from the restored logits
  if (!info.has_tokenizer) {
    throw ToolError("this model has no tokenizer (token ids only): give the prompt as --tokens");
  }
  if (!options.chat) return tokenize(model, options.prompt, add_bos);
  const char* start = "";
  const char* end = "";
  check(griffin_model_chat_markers(model, &start, &end), "griffin_model_chat_markers");
  if (info.start_of_turn_id < 0 || info.end_of_turn_id < 0) {
    throw ToolError(
        std::string("--chat needs the file's chat markers as tokenizer pieces, and \"") +
        (info.start_of_turn_id < 0 ? start : end) + "\" is not one");
  }
  const std::string turn_start = start, turn_end = end;
  return tokenize(model,
                  turn_start + "user\n" + options.prompt + turn_end + "\n" + turn_start + "model\n",
                  add_bos);
}

void print_ids(const char* label, const std::vector<int32_t>& ids) {
  std::fprintf(stderr, "%s (%zu):", label, ids.size());
  for (int32_t id : ids) std::fprintf(stderr, " %d", id);
  std::fputc('\n', stderr);
}

int generate(int argc, char** argv) {
  Options o;
  o.seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  CLI::App app{
      "griffin-generate: generate text from a .griffin model (streams to stdout; prompt "
      "and speed statistics go to stderr)",
      "griffin-generate"};
  app.add_option("-m,--model", o.model_path, ".griffin model file")->required();
  auto* prompt = app.add_option("-p,--prompt", o.prompt, "prompt text (BOS is prepended)");
  auto* tokens = app.add_option("--tokens", o.token_list,
                                "prompt as comma-separated token ids, used verbatim (no BOS "
                                "added); for models without a tokenizer");
  prompt->excludes(tokens);
  app.add_option("-n,--max-tokens", o.max_new_tokens, "maximum number of tokens to generate")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--temp", o.temperature, "sampling temperature; 0 = greedy (argmax)")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--top-k", o.top_k, "keep the k most likely tokens; 0 = off")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--top-p", o.top_p,
                 "nucleus sampling: smallest set with probability >= p; 1 = off")
      ->capture_default_str()
      ->check(number_in(0.0, 1.0, true, "in (0, 1]"));
  app.add_option("--min-p", o.min_p, "drop tokens below min-p * p(most likely); 0 = off")
      ->capture_default_str()
      ->check(number_in(0.0, 1.0, false, "in [0, 1]"));
  app.add_option("--repeat-penalty", o.repeat_penalty,
                 "penalty for recently seen tokens (> 1 discourages repeats); 1 = off")
      ->capture_default_str()
      ->check(positive());
  app.add_option("--repeat-window", o.repeat_window,
                 "recent tokens (prompt included) the penalty looks at; 0 = 256")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--seed", o.seed, "sampler seed (default: random, printed at the end)");
  add_model_flags(app, o.model);
  app.add_option("--chunk", o.chunk, "prompt tokens per prefill step; 0 = 64")
      ->capture_default_str()
      ->check(CLI::Range(0, 65536));
  auto* chat = app.add_flag("--chat", o.chat,
                            "wrap the prompt in the file's chat markers (Gemma: <start_of_turn>, "
                            "<end_of_turn>) and stop at the end-of-turn marker");
  chat->excludes(tokens);
  app.add_option("--save-state", o.save_state,
                 "after generating, feed the last token and save the session to FILE (atomic)");
  app.add_option("--load-state", o.load_state,
                 "restore a session saved with --save-state, append the prompt (no BOS; may be "
                 "empty) and continue")
      ->check(CLI::ExistingFile);
  app.add_option("--max-context", o.max_context,
                 "positions a global-attention layer holds; 0 = the run's need (4096 with a state "
                 "file, so that saved and loading runs agree)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 24));
  app.add_flag("-v,--verbose", o.verbose, "print the model, prompt ids and sampler settings");
  CLI11_PARSE(app, argc, argv);
  o.use_tokens = tokens->count() > 0;
  if (prompt->count() == 0 && !o.use_tokens && o.load_state.empty()) {
    throw ToolError("give a prompt with -p TEXT or --tokens IDS (or continue with --load-state)");
  }

  ModelPtr model = open_model(o.model_path, o.model);
  const griffin_model_info info = model_info(model.get());
  const std::vector<int32_t> prompt_ids = prompt_tokens(model.get(), info, o);

  griffin_session_options session_options = griffin_session_default_options();
  session_options.prefill_chunk = o.chunk;
  // Only global-attention layers grow with the context; give them exactly what this run needs,
  // unless a state file is involved: a snapshot loads only into the same max_context.
  const size_t context = prompt_ids.size() + static_cast<size_t>(o.max_new_tokens);
  session_options.max_context = static_cast<int32_t>(std::min(context, size_t{1} << 24));
  if (!o.save_state.empty() || !o.load_state.empty()) session_options.max_context = 4096;
  if (o.max_context > 0) session_options.max_context = o.max_context;
  session_options.seed = o.seed;
  session_options.history_size = o.repeat_window;
  SessionPtr session = create_session(model.get(), session_options);

  griffin_sampler_options sampler = griffin_sampler_default_options();
  sampler.temperature = o.temperature;
  sampler.top_k = o.top_k;
  sampler.top_p = o.top_p;
  sampler.min_p = o.min_p;
  sampler.repetition_penalty = o.repeat_penalty;
  sampler.repetition_window = o.repeat_window;

  if (!o.load_state.empty()) {
    check(griffin_session_load_file(session.get(), o.load_state.c_str()),
          ("cannot restore the session from " + o.load_state).c_str(), session.get());
  }
  const int32_t end_of_turn = o.chat ? info.end_of_turn_id : -1;
  const char* end_marker = "";
  check(griffin_model_chat_markers(model.get(), nullptr, &end_marker),
        "griffin_model_chat_markers");
  if (o.verbose) {
    std::fprintf(stderr,
                 "model: %s: %d layers (%d recurrent, %d local, %d global attention), width %d, "
                 "vocab %d, %s, %d threads\n",
                 o.model_path.c_str(), info.depth, info.num_recurrent_layers,
                 info.num_local_attention_layers, info.num_global_attention_layers, info.width,
                 info.vocab_size, info.has_tokenizer ? "tokenizer" : "no tokenizer",
                 info.num_threads);
    const char* kernels = "";
    const char* recipe = "";
    griffin_model_kernels(model.get(), &kernels);
    griffin_model_dtype_recipe(model.get(), &recipe);
    std::fprintf(stderr, "weights: %s\nkernels: %s\n", recipe, kernels);
    print_ids("prompt ids", prompt_ids);
    std::fprintf(stderr,
                 "sampler: temp %g, top-k %d, top-p %g, min-p %g, repeat-penalty %g over %d "
                 "tokens; stop at eos %d%s\n",
                 o.temperature, o.top_k, o.top_p, o.min_p, o.repeat_penalty, o.repeat_window,
                 info.eos_id, o.chat ? (std::string(" and ") + end_marker).c_str() : "");
  }

  TokenPrinter printer(session.get(), info.has_tokenizer);
  printer.prime(prompt_ids);
  std::signal(SIGINT, on_interrupt);

  const Clock::time_point prefill_start = Clock::now();
  if (!prompt_ids.empty()) {
    check(griffin_session_prefill(session.get(), prompt_ids.data(), prompt_ids.size(), nullptr, 0),
          "prefill failed", session.get());
  }
  const double prefill_seconds = seconds_between(prefill_start, Clock::now());

  // The first token comes from the prefill logits; each later one costs one decode.
  const char* stop_reason = "length";
  int32_t generated = 0, decoded = 0;
  double decode_seconds = 0.0;
  while (generated < o.max_new_tokens) {
    if (g_interrupted) {
      stop_reason = "interrupted";
      break;
    }
    int32_t token;
    check(griffin_session_sample(session.get(), &sampler, &token), "sampling failed",
          session.get());
    if (token == info.eos_id) {
      stop_reason = "eos";
      break;
    }
    if (o.chat && token == end_of_turn) {
      stop_reason = "end of turn";
      break;
    }
    printer.print(token);
    ++generated;
    // The last token's logits would never be used, unless the session is saved: then it is fed,
    // so that a run that loads the state continues right after it.
    if (generated == o.max_new_tokens && o.save_state.empty()) break;
    const Clock::time_point start = Clock::now();
    check(griffin_session_decode(session.get(), token, nullptr), "decode failed", session.get());
    decode_seconds += seconds_between(start, Clock::now());
    ++decoded;
  }
  printer.finish();
  if (!o.save_state.empty()) {
    check(griffin_session_save_file(session.get(), o.save_state.c_str()),
          ("cannot save the session to " + o.save_state).c_str(), session.get());
    size_t state_bytes = 0;
    griffin_session_state_size(session.get(), &state_bytes);
    std::fprintf(stderr, "state: saved %zu bytes to %s\n", state_bytes, o.save_state.c_str());
  }

  const size_t n_prompt = prompt_ids.size();
  std::fprintf(stderr, "prompt tokens: %zu\n", n_prompt);
  std::fprintf(stderr, "prefill: %zu tokens in %.2f ms, %.1f tokens/s\n", n_prompt,
               prefill_seconds * 1e3, prefill_seconds > 0 ? n_prompt / prefill_seconds : 0.0);
  std::fprintf(stderr, "generated tokens: %d (stop: %s)\n", generated, stop_reason);
  if (decoded > 0) {
    std::fprintf(stderr, "decode: %d tokens in %.2f ms, %.1f tokens/s, %.3f ms/token\n", decoded,
                 decode_seconds * 1e3, decoded / decode_seconds, decode_seconds * 1e3 / decoded);
  } else {
    std::fprintf(stderr, "decode: 0 tokens\n");
  }
  if (printer.tokens_without_text() > 0) {
    std::fprintf(stderr, "note: %lld generated ids have no tokenizer piece and printed nothing\n",
                 static_cast<long long>(printer.tokens_without_text()));
  }
  std::fprintf(stderr, "seed: %llu\n", static_cast<unsigned long long>(o.seed));
  return g_interrupted ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run_tool("griffin-generate", generate, argc, argv);
}
