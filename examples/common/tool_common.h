// Helpers shared by the griffin-* command-line tools: owning handles over the C API, error
// reporting (a ToolError carries the runtime's message to main), strict token-list parsing,
// tokenization and timing. Everything here goes through griffin.h only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "griffin/griffin.h"

namespace griffin_tools {

// A failure the tool reports as "<tool>: error: <message>" before exiting with status 1.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelCloser {
  void operator()(griffin_model* model) const { griffin_model_close(model); }
};
struct SessionDestroyer {
  void operator()(griffin_session* session) const { griffin_session_destroy(session); }
};
using ModelPtr = std::unique_ptr<griffin_model, ModelCloser>;
using SessionPtr = std::unique_ptr<griffin_session, SessionDestroyer>;

// Throws ToolError("<what>: <status string>: <message>") unless `status` is GRIFFIN_OK. The
// message is the session's when `session` is given, else griffin_last_error().
void check(griffin_status status, const char* what, const griffin_session* session = nullptr);

// How a tool opens its model: griffin_model_options' fields of the same names (threads is
// num_threads: 0 = one per core; max_batch sizes the arena of griffin_batch_decode, 0 = none).
// model_flags.h adds the flags that set them.
struct ModelFlags {
  int32_t threads = 0;
  bool int8_activations = false;
  bool per_token_activation_scales = false;     // activation_scale = ..._PER_TOKEN
  bool power_of_two_activation_scales = false;  // activation_scale = ..._POWER_OF_TWO
  bool prefault = false;  // prefault, lock_weights, huge_pages: docs/memory.md
  bool lock_weights = false;
  bool huge_pages = false;
  bool sleep_between_steps = false;
  bool repack_weights = false;
  int32_t max_batch = 0;
};
ModelPtr open_model(const std::string& path, const ModelFlags& flags);
griffin_model_info model_info(const griffin_model* model);
SessionPtr create_session(griffin_model* model, const griffin_session_options& options);

// Parses "2,17,5" (decimal, optional sign, spaces around commas allowed). Rejects empty
// entries, trailing junk ("3x") and values outside int32; range against the vocabulary is
// left to the runtime, which names the offending id.
std::vector<int32_t> parse_token_list(const std::string& text);
// The ids of `text` (BOS first when `add_bos`). Throws if the model has no tokenizer.
std::vector<int32_t> tokenize(const griffin_model* model, const std::string& text, bool add_bos);
// The text of one token as griffin_detokenize gives it ("" for control tokens); `*ok` is
// false when the id has no piece (a vocabulary larger than the tokenizer).
std::string token_piece(const griffin_model* model, int32_t id, bool* ok);
// Reads a whole file as bytes.
std::string read_file(const std::string& path);

using Clock = std::chrono::steady_clock;
inline double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

// Runs `body` and turns a ToolError or other exception into the tool's error line and exit
// status 1.
int run_tool(const char* tool_name, int (*body)(int argc, char** argv), int argc, char** argv);

}  // namespace griffin_tools
