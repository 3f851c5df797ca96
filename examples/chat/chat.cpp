// griffin-chat: multi-turn chat in the terminal. Each user line is wrapped in the file's chat
// markers and fed once; the session keeps the recurrent state between turns, so the history is
// never fed again and memory stays fixed however long the chat runs. Replies stream through
// griffin_session_generate; Ctrl-C cancels the current reply (griffin_session_cancel from a
// signal handler), not the program. Commands: /stats /save /load /reset /quit /help.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

#include "examples/common/cli_checks.h"
#include "examples/common/model_flags.h"
#include "examples/common/tool_common.h"

namespace {

using namespace griffin_tools;

// The session a reply is being generated on, for the SIGINT handler (null between replies).
std::atomic<griffin_session*> g_replying{nullptr};
static_assert(std::atomic<griffin_session*>::is_always_lock_free,
              "the SIGINT handler needs a lock-free pointer");

void on_interrupt(int) {
  // Async-signal-safe only: a lock-free load, griffin_session_cancel (an atomic store), write.
  griffin_session* session = g_replying.load();
  if (session != nullptr) {
    griffin_session_cancel(session);
  } else {
    static const char hint[] = "\n(Ctrl-C cancels a reply; /quit or Ctrl-D leaves)\n";
    ssize_t ignored = write(STDERR_FILENO, hint, sizeof hint - 1);
    (void)ignored;
  }
}

struct Options {
  std::string model_path;
  int32_t max_tokens = 128;
  float temperature = 0.0f;
  int32_t top_k = 0;
  float top_p = 1.0f;
  float repeat_penalty = 1.0f;
  uint64_t seed = 0;
  ModelFlags model;  // --threads, --int8-activations, --prefault, --lock-weights, --huge-pages
  int32_t chunk = 0;
  bool verbose = false;
};

// Totals for /stats since the start or the last /reset.
struct Totals {
  int64_t prompt_tokens = 0, reply_tokens = 0;
  double prefill_seconds = 0.0, decode_seconds = 0.0;
};

// Streams a reply to stdout, without the whitespace its first pieces may start with.
int write_piece(const char* piece, size_t length, int32_t, void* user) {
  bool& started = *static_cast<bool*>(user);
  while (!started && length > 0 && (*piece == ' ' || *piece == '\n')) {
    ++piece;
    --length;
  }
  started = started || length > 0;
  std::fwrite(piece, 1, length, stdout);
  std::fflush(stdout);
  return 0;
}

const char* stop_name(griffin_stop_reason reason) {
  switch (reason) {
    case GRIFFIN_STOP_LENGTH:
      return "max tokens";
    case GRIFFIN_STOP_END_OF_SEQUENCE:
      return "end of turn";
    case GRIFFIN_STOP_SEQUENCE:
      return "blank line";
    case GRIFFIN_STOP_CALLBACK:
      return "callback";
    case GRIFFIN_STOP_CANCELLED:
      return "cancelled";
  }
  return "?";
}

double per_second(int64_t tokens, double seconds) {
  return seconds > 0.0 ? static_cast<double>(tokens) / seconds : 0.0;
}

class Chat {
 public:
  Chat(griffin_model* model, griffin_session* session, const Options& options)
      : model_(model), session_(session), options_(options) {
    const char* start = nullptr;
    const char* end = nullptr;
    check(griffin_model_chat_markers(model_, &start, &end), "griffin_model_chat_markers");
    start_ = start;
    end_ = end;
  }

  // One user line: a reply, or a command. Returns false to quit.
  bool handle(const std::string& line) {
    if (line.empty()) return true;
    if (line[0] != '/') {
      reply(line);
      return true;
    }
    const size_t space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string argument = space == std::string::npos ? "" : trim(line.substr(space + 1));
    if (command == "/quit" || command == "/exit") return false;
    if (command == "/stats") {
      stats();
    } else if (command == "/reset") {
      check(griffin_session_reset(session_), "griffin_session_reset", session_);
      totals_ = Totals();
      turn_open_ = false;
      std::fprintf(stderr, "[reset: the conversation starts over]\n");
    } else if (command == "/save" || command == "/load") {
      if (argument.empty()) {
        std::fprintf(stderr, "%s needs a file name: %s FILE\n", command.c_str(), command.c_str());
      } else if (command == "/save") {
        report(griffin_session_save_file(session_, argument.c_str()), "saved to " + argument);
      } else {
        // A snapshot is taken between turns, after the model's turn was closed.
        if (report(griffin_session_load_file(session_, argument.c_str()), "loaded " + argument)) {
          turn_open_ = false;
        }
      }
    } else if (command == "/help") {
      std::fprintf(stderr,
                   "/stats  tokens so far, state bytes, speed\n/save FILE  snapshot the "
                   "conversation\n/load FILE  continue a saved conversation\n/reset  start "
                   "over\n/quit  leave (also Ctrl-D)\nCtrl-C cancels a reply.\n");
    } else {
      std::fprintf(stderr, "unknown command %s (try /help)\n", command.c_str());
    }
    return true;
  }

 private:
  static std::string trim(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
  }

  // Prints "[what]" on success, the runtime's message on failure; the chat goes on either way.
  bool report(griffin_status status, const std::string& what) {
    if (status == GRIFFIN_OK) {
      std::fprintf(stderr, "[%s]\n", what.c_str());
      return true;
    }
    std::fprintf(stderr, "griffin-chat: %s: %s\n", griffin_status_string(status),
                 griffin_session_last_error(session_));
    return false;
  }

  void reply(const std::string& message) {
    // Gemma's format: <start_of_turn>user\n...<end_of_turn>\n<start_of_turn>model\n...; a model
    // turn that did not end with its end-of-turn token is closed first.
    std::string prompt = turn_open_ ? end_ + "\n" : "";
    prompt += start_ + "user\n" + message + end_ + "\n" + start_ + "model\n";
    griffin_generate_options options = griffin_generate_default_options();
    options.max_tokens = options_.max_tokens;
    options.sampler.temperature = options_.temperature;
    options.sampler.top_k = options_.top_k;
    options.sampler.top_p = options_.top_p;
    options.sampler.repetition_penalty = options_.repeat_penalty;
    const char* stops[] = {"\n\n"};  // a blank line ends a reply of a model without turns
    options.stop_sequences = stops;
    options.stop_sequence_count = 1;
    griffin_generate_result result;
    std::memset(&result, 0, sizeof result);
    result.struct_size = sizeof result;
    g_replying.store(session_);
    bool started = false;
    const griffin_status status = griffin_session_generate(
        session_, prompt.data(), prompt.size(), &options, write_piece, &started, &result);
    g_replying.store(nullptr);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    if (status != GRIFFIN_OK) {
      std::fprintf(stderr, "griffin-chat: %s: %s\n", griffin_status_string(status),
                   griffin_session_last_error(session_));
      return;
    }
    totals_.prompt_tokens += result.prompt_tokens;
    totals_.reply_tokens += result.generated_tokens;
    totals_.prefill_seconds += result.prefill_seconds;
    totals_.decode_seconds += result.decode_seconds;
    turn_open_ = result.stop_reason != GRIFFIN_STOP_END_OF_SEQUENCE;
    if (result.stop_reason == GRIFFIN_STOP_CANCELLED) std::fprintf(stderr, "[cancelled]\n");
    if (options_.verbose) {
      std::fprintf(stderr, "[turn: %d prompt tokens, %d reply tokens, stop: %s]\n",
                   result.prompt_tokens, result.generated_tokens, stop_name(result.stop_reason));
    }
  }

  void stats() {
    size_t position = 0, state_bytes = 0;
    check(griffin_session_position(session_, &position), "griffin_session_position", session_);
    check(griffin_session_state_size(session_, &state_bytes), "griffin_session_state_size",
          session_);
    std::fprintf(stderr, "tokens: %zu\n", position);
    std::fprintf(stderr, "state bytes: %zu (the same at every length)\n", state_bytes);
    std::fprintf(stderr, "prefill: %lld tokens, %.1f tokens/s\n", (long long)totals_.prompt_tokens,
                 per_second(totals_.prompt_tokens, totals_.prefill_seconds));
    std::fprintf(stderr, "decode: %lld tokens, %.1f tokens/s\n", (long long)totals_.reply_tokens,
                 per_second(totals_.reply_tokens, totals_.decode_seconds));
  }

  griffin_model* model_;
  griffin_session* session_;
  const Options& options_;
  std::string start_, end_;
  bool turn_open_ = false;  // the model's last turn ended without its end-of-turn token
  Totals totals_;
};

int chat(int argc, char** argv) {
  Options o;
  o.seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  CLI::App app{
      "griffin-chat: multi-turn chat with a .griffin model. Type a message per line; replies "
      "stream to stdout. Commands: /stats /save FILE /load FILE /reset /quit /help. Ctrl-C "
      "cancels a reply, Ctrl-D quits.",
      "griffin-chat"};
  app.add_option("-m,--model", o.model_path, ".griffin model file")->required();
  app.add_option("-n,--max-tokens", o.max_tokens, "longest reply in tokens")
      ->capture_default_str()
      ->check(positive());
  app.add_option("--temp", o.temperature, "sampling temperature; 0 = greedy (argmax)")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--top-k", o.top_k, "keep the k most likely tokens; 0 = off")
      ->capture_default_str()
      ->check(non_negative());
  app.add_option("--top-p", o.top_p, "nucleus sampling; 1 = off")
      ->capture_default_str()
      ->check(number_in(0.0, 1.0, true, "in (0, 1]"));
  app.add_option("--repeat-penalty", o.repeat_penalty, "> 1 discourages repeats; 1 = off")
      ->capture_default_str()
      ->check(positive());
  app.add_option("--seed", o.seed, "sampler seed (default: random)");
  add_model_flags(app, o.model);
  app.add_option("--chunk", o.chunk, "prompt tokens per prefill step; 0 = 64")
      ->capture_default_str()
      ->check(CLI::Range(0, 65536));
  app.add_flag("-v,--verbose", o.verbose, "after each reply, print its token counts");
  CLI11_PARSE(app, argc, argv);
  // Installed first: a Ctrl-C while the model loads must not end the program either.
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  action.sa_flags = SA_RESTART;  // reading the next line goes on after a Ctrl-C
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);

  ModelPtr model = open_model(o.model_path, o.model);
  if (!model_info(model.get()).has_tokenizer) {
    throw ToolError("this model has no tokenizer: griffin-chat needs text");
  }
  griffin_session_options session_options = griffin_session_default_options();
  session_options.prefill_chunk = o.chunk;
  session_options.seed = o.seed;
  SessionPtr session = create_session(model.get(), session_options);

  Chat chat(model.get(), session.get(), o);
  const bool interactive = isatty(STDIN_FILENO) != 0;
  std::string line;
  for (;;) {
    if (interactive) std::fputs("> ", stderr);
    if (!std::getline(std::cin, line)) break;  // EOF quits
    if (!chat.handle(line)) break;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return griffin_tools::run_tool("griffin-chat", chat, argc, argv);
}
