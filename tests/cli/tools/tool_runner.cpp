// Tool runner and test models for the command-line tests (see tool_runner.h).
#include "tests/cli/tools/tool_runner.h"

#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/support/test_files.h"

namespace griffin::test {

namespace {

void run_or_throw(const std::string& command) {
  std::string output;
  if (run_command(command, &output) != 0) {
    throw std::runtime_error("command failed: " + command + "\n" + output);
  }
}

}  // namespace

std::string quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

const std::string& scratch_dir() {
  static const std::unique_ptr<TempDir> dir = std::make_unique<TempDir>();
  return dir->path();
}

#ifndef GRIFFIN_TOOL_PREFIX
#define GRIFFIN_TOOL_PREFIX ""
#endif

// The command that runs a built tool (through the emulator in a cross build).
std::string tool_command(const std::string& tool) {
  return GRIFFIN_TOOL_PREFIX + quote(std::string(GRIFFIN_BIN_DIR) + "/" + tool);
}

ToolRun run_tool(const std::string& tool, const std::string& args) {
  static std::atomic<int> counter{0};
  const std::string base = scratch_dir() + "/run" + std::to_string(counter++);
  const std::string command =
      tool_command(tool) + " " + args + " >" + quote(base + ".out") + " 2>" + quote(base + ".err");
  const int status = std::system(command.c_str());
  ToolRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_file(base + ".out");
  run.err = read_file(base + ".err");
  return run;
}

const std::string& tiny_model_with_tokenizer() {
  static const std::string path = [] {
    const std::string convert = tool_command("griffin-convert");
    const std::string hf = scratch_dir() + "/tiny-hf";
    const std::string out = scratch_dir() + "/tiny.griffin";
    run_or_throw(convert + " synthetic --preset griffin-tiny --hf --seed 7 -q -o " + quote(hf));
    // The converter picks up the tokenizer under the Hugging Face name tokenizer.model.
    write_file(hf + "/tokenizer.model",
               read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model"));
    run_or_throw(convert + " " + quote(hf) + " -q -o " + quote(out));
    return out;
  }();
  return path;
}

namespace {

// Converts the fixture checkpoint to `out` with the converter's extra `flags`.
void convert_fixture(const std::string& flags, const std::string& out) {
  run_or_throw(tool_command("griffin-convert") + " " +
               quote(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin") + " -q " + flags +
               "-o " + quote(out));
}

}  // namespace

const std::string& fixture_model() {
  static const std::string path = [] {
    const std::string out = scratch_dir() + "/fixture.griffin";
    convert_fixture("", out);
    return out;
  }();
  return path;
}

std::string fixture_model_as(const std::string& dtype) {
  const std::string out = scratch_dir() + "/fixture-" + dtype + ".griffin";
  convert_fixture("--dtype " + dtype + " ", out);
  return out;
}

std::vector<int> fixture_tokens() {
  const auto doc = nlohmann::json::parse(
      read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin/tokens.json"));
  return doc.at("tokens").get<std::vector<int>>();
}

std::string fixture_token_list() {
  std::string list;
  for (int id : fixture_tokens()) list += (list.empty() ? "" : ",") + std::to_string(id);
  return list;
}

}  // namespace griffin::test
