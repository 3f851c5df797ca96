// Shared helpers of the griffin-* tools (see tool_common.h): C API handles, error messages,
// token-list parsing and tokenization.
#include "examples/common/tool_common.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace griffin_tools {

void check(griffin_status status, const char* what, const griffin_session* session) {
  if (status == GRIFFIN_OK) return;
  const char* message = session ? griffin_session_last_error(session) : griffin_last_error();
  std::string text = std::string(what) + ": " + griffin_status_string(status);
  if (message != nullptr && message[0] != '\0') text += std::string(": ") + message;
  throw ToolError(text);
}

ModelPtr open_model(const std::string& path, const ModelFlags& flags) {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = flags.threads;
  options.int8_activations = flags.int8_activations;
  options.activation_scale = flags.per_token_activation_scales ? GRIFFIN_ACTIVATION_SCALE_PER_TOKEN
                             : flags.power_of_two_activation_scales
                                 ? GRIFFIN_ACTIVATION_SCALE_POWER_OF_TWO
                                 : GRIFFIN_ACTIVATION_SCALE_PER_GROUP;
  options.prefault = flags.prefault;
  options.lock_weights = flags.lock_weights;
  options.huge_pages = flags.huge_pages;
  options.sleep_between_steps = flags.sleep_between_steps;
  options.repack_weights = flags.repack_weights;
  options.max_batch = flags.max_batch;
  griffin_model* model = nullptr;
  check(griffin_model_open(path.c_str(), &options, &model), ("cannot open model " + path).c_str());
  return ModelPtr(model);
}

griffin_model_info model_info(const griffin_model* model) {
  griffin_model_info info;
  std::memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  check(griffin_model_get_info(model, &info), "griffin_model_get_info");
  return info;
}

SessionPtr create_session(griffin_model* model, const griffin_session_options& options) {
  griffin_session* session = nullptr;
  check(griffin_session_create(model, &options, nullptr, 0, &session), "cannot create a session");
  return SessionPtr(session);
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// One entry of a token list, already trimmed: [+-]?[0-9]+ within int32.
int32_t parse_token(const std::string& entry, size_t index) {
  size_t digits = entry.empty() || (entry[0] != '-' && entry[0] != '+') ? 0 : 1;
  bool valid = digits < entry.size();
  for (size_t i = digits; i < entry.size(); ++i)
    valid = valid && entry[i] >= '0' && entry[i] <= '9';
  if (!valid) {
    throw ToolError("token list entry " + std::to_string(index) + " '" + entry +
                    "' is not an integer");
  }
  errno = 0;
  const long long value = std::strtoll(entry.c_str(), nullptr, 10);
  if (errno == ERANGE || value < std::numeric_limits<int32_t>::min() ||
      value > std::numeric_limits<int32_t>::max()) {
    throw ToolError("token list entry " + std::to_string(index) + " '" + entry +
                    "' does not fit in 32 bits");
  }
  return static_cast<int32_t>(value);
}

}  // namespace

std::vector<int32_t> parse_token_list(const std::string& text) {
  std::vector<int32_t> ids;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    size_t first = start, last = end;
    while (first < last && is_space(text[first])) ++first;
    while (last > first && is_space(text[last - 1])) --last;
    ids.push_back(parse_token(text.substr(first, last - first), ids.size()));
    if (end == text.size()) break;
    start = end + 1;
  }
  return ids;
}

std::vector<int32_t> tokenize(const griffin_model* model, const std::string& text, bool add_bos) {
  // Two calls: the first (no room) reports how many ids the text needs.
  size_t needed = 0;
  griffin_status status =
      griffin_tokenize(model, text.data(), text.size(), add_bos, nullptr, 0, &needed);
  if (status != GRIFFIN_OK && status != GRIFFIN_ERR_OUT_OF_RANGE) check(status, "cannot tokenize");
  std::vector<int32_t> ids(needed);
  size_t written = 0;
  check(
      griffin_tokenize(model, text.data(), text.size(), add_bos, ids.data(), ids.size(), &written),
      "cannot tokenize");
  ids.resize(written);
  return ids;
}

std::string token_piece(const griffin_model* model, int32_t id, bool* ok) {
  char small[64];
  size_t length = 0;
  griffin_status status = griffin_detokenize(model, &id, 1, small, sizeof small, &length);
  if (status == GRIFFIN_OK) {
    *ok = true;
    return std::string(small, length);
  }
  if (status == GRIFFIN_ERR_OUT_OF_RANGE) {
    std::string text(length + 1, '\0');
    status = griffin_detokenize(model, &id, 1, &text[0], text.size(), &length);
    if (status == GRIFFIN_OK) {
      *ok = true;
      text.resize(length);
      return text;
    }
  }
  *ok = false;
  return std::string();
}

std::string read_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw ToolError(path + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw ToolError("error reading " + path);
  return bytes.str();
}

int run_tool(const char* tool_name, int (*body)(int argc, char** argv), int argc, char** argv) {
  try {
    return body(argc, argv);
  } catch (const ToolError& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", tool_name, error.what());
  } catch (const std::exception& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", tool_name, error.what());
  }
  return 1;
}

}  // namespace griffin_tools
