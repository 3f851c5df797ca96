// griffin-score: the log-probability a .griffin model gives each token of a sequence, plus the
// mean negative log-likelihood and perplexity; optionally every logit as a .npy file. Flags:
// examples/README.md, or griffin-score --help.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "examples/common/cli_checks.h"
#include "examples/common/model_flags.h"
#include "examples/common/npy_writer.h"
#include "examples/common/tool_common.h"

namespace {

using namespace griffin_tools;

struct Options {
  std::string model_path, token_list, text, file, logits_out;
  int32_t chunk = 0;
  ModelFlags model;  // --threads, --int8-activations, --prefault, --lock-weights, --huge-pages
  bool json = false;
  bool use_tokens = false;  // --tokens was given (possibly empty, which the parser rejects)
};

// log softmax(row)[target], in double: row[target] - max - log(sum(exp(row - max))).
double log_softmax_at(const float* row, size_t vocab, int32_t target) {
  double max = row[0];
  for (size_t i = 1; i < vocab; ++i) max = row[i] > max ? row[i] : max;
  double sum = 0.0;
  for (size_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - max);
  return static_cast<double>(row[target]) - max - std::log(sum);
}

// Feeds every token and returns logprob[t] = log p(tokens[t] | tokens[<t]) for t >= 1 (entry 0
// is unused). Chunk 1 decodes token by token; otherwise prefill takes `chunk` tokens a call and
// returns all their logits. Rows also go to `npy` when given.
std::vector<double> score_tokens(griffin_session* session, const std::vector<int32_t>& tokens,
                                 size_t vocab, size_t chunk, NpyWriter* npy) {
  const size_t count = tokens.size();
  std::vector<double> logprobs(count, 0.0);
  std::vector<float> block(chunk == 1 ? 0 : chunk * vocab);
  for (size_t start = 0; start < count; start += chunk) {
    const size_t n = std::min(chunk, count - start);
    const float* rows = block.data();
    const griffin_status status = chunk == 1
                                      ? griffin_session_decode(session, tokens[start], &rows)
                                      : griffin_session_prefill(session, tokens.data() + start, n,
                                                                block.data(), block.size());
    if (status != GRIFFIN_OK) {
      // The runtime's message counts from the start of this call; say where that is.
      const std::string what = chunk == 1 ? "decode of token " + std::to_string(start) + " failed"
                                          : "prefill of tokens " + std::to_string(start) + ".." +
                                                std::to_string(start + n - 1) + " failed";
      check(status, what.c_str(), session);
    }
    for (size_t r = 0; r < n; ++r) {
      const size_t next = start + r + 1;
      // An id outside the vocabulary is never indexed here: the runtime rejects it, naming
      // it, when it is fed in the next step.
      if (next < count && tokens[next] >= 0 && static_cast<size_t>(tokens[next]) < vocab) {
        logprobs[next] = log_softmax_at(rows + r * vocab, vocab, tokens[next]);
      }
    }
    if (npy) npy->append_rows(rows, n);
  }
  return logprobs;
}

std::vector<int32_t> input_tokens(const griffin_model* model, const Options& o) {
  if (o.use_tokens) return parse_token_list(o.token_list);
  const std::string text = o.file.empty() ? o.text : read_file(o.file);
  return tokenize(model, text, /*add_bos=*/true);
}

int score(int argc, char** argv) {
  Options o;
  CLI::App app{
      "griffin-score: per-token log-probabilities, NLL and perplexity of a sequence "
      "under a .griffin model",
      "griffin-score"};
  app.add_option("-m,--model", o.model_path, ".griffin model file")->required();
  auto* tokens = app.add_option("--tokens", o.token_list,
                                "comma-separated token ids, used verbatim (no BOS added)");
  auto* text = app.add_option("--text", o.text, "text to score (BOS is prepended)");
  auto* file = app.add_option("--file", o.file, "file whose text to score (BOS is prepended)");
  tokens->excludes(text)->excludes(file);
  text->excludes(file);
  app.add_option("--chunk", o.chunk, "tokens per prefill call; 1 = decode token by token; 0 = 64")
      ->capture_default_str()
      ->check(CLI::Range(0, 65536));
  app.add_option("--logits-out", o.logits_out,
                 "write all logits as float32 .npy of shape (tokens, vocab), atomically");
  app.add_flag("--json", o.json, "print one JSON object instead of the table");
  add_model_flags(app, o.model);
  CLI11_PARSE(app, argc, argv);
  o.use_tokens = tokens->count() > 0;
  if (tokens->count() + text->count() + file->count() == 0) {
    throw ToolError("give the sequence with --tokens IDS, --text STR or --file PATH");
  }

  ModelPtr model = open_model(o.model_path, o.model);
  const griffin_model_info info = model_info(model.get());
  if (!o.use_tokens && !info.has_tokenizer) {
    throw ToolError("this model has no tokenizer (token ids only): give the sequence as --tokens");
  }
  const std::vector<int32_t> ids = input_tokens(model.get(), o);
  if (ids.size() < 2) {
    throw ToolError("need at least 2 tokens to score, got " + std::to_string(ids.size()));
  }

  const size_t chunk = o.chunk == 0 ? 64 : static_cast<size_t>(o.chunk);
  griffin_session_options session_options = griffin_session_default_options();
  session_options.prefill_chunk = static_cast<int32_t>(chunk);
  session_options.max_context = static_cast<int32_t>(std::min(ids.size(), size_t{1} << 24));
  SessionPtr session = create_session(model.get(), session_options);

  const size_t vocab = static_cast<size_t>(info.vocab_size);
  std::unique_ptr<NpyWriter> npy;
  if (!o.logits_out.empty()) npy = std::make_unique<NpyWriter>(o.logits_out, ids.size(), vocab);
  const std::vector<double> logprobs = score_tokens(session.get(), ids, vocab, chunk, npy.get());
  if (npy) npy->commit();

  double total = 0.0;
  for (size_t t = 1; t < ids.size(); ++t) total += logprobs[t];
  const size_t scored = ids.size() - 1;
  const double nll = -total / static_cast<double>(scored);
  const double perplexity = std::exp(nll);

  std::vector<std::string> pieces;
  if (info.has_tokenizer) {
    for (int32_t id : ids) {
      bool ok;
      pieces.push_back(token_piece(model.get(), id, &ok));
    }
  }
  // Pieces may hold control characters or partial UTF-8: print them as escaped JSON strings.
  auto quoted = [](const std::string& piece) {
    return nlohmann::json(piece).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };

  if (o.json) {
    nlohmann::json out;
    out["model"] = o.model_path;
    out["token_count"] = ids.size();
    out["scored_tokens"] = scored;
    out["tokens"] = ids;
    nlohmann::json per_token = nlohmann::json::array({nullptr});  // token 0 has no context
    for (size_t t = 1; t < ids.size(); ++t) per_token.push_back(logprobs[t]);
    out["logprobs"] = per_token;
    if (!pieces.empty()) out["pieces"] = pieces;
    out["total_logprob"] = total;
    out["nll"] = nll;
    out["perplexity"] = perplexity;
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }

  // Columns: position, id, piece (only with a tokenizer), logprob ("-" for the first token).
  std::printf("%5s  %8s  ", "pos", "token");
  if (!pieces.empty()) std::printf("%-20s  ", "piece");
  std::printf("%12s\n", "logprob");
  for (size_t t = 0; t < ids.size(); ++t) {
    std::printf("%5zu  %8d  ", t, ids[t]);
    if (!pieces.empty()) std::printf("%-20s  ", quoted(pieces[t]).c_str());
    if (t == 0) {
      std::printf("%12s\n", "-");
    } else {
      std::printf("%12.6f\n", logprobs[t]);
    }
  }
  std::printf("tokens: %zu (%zu scored)\n", ids.size(), scored);
  std::printf("total logprob: %.6f\n", total);
  std::printf("mean NLL: %.6f nats/token\n", nll);
  std::printf("perplexity: %.6g\n", perplexity);
  if (npy) std::printf("logits: %s (%zu x %zu float32)\n", o.logits_out.c_str(), ids.size(), vocab);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run_tool("griffin-score", score, argc, argv);
}
