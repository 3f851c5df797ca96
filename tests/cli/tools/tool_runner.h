// Helpers for the command-line tests of griffin-generate, -score, -bench and -minimal: run a tool
// with stdout and stderr captured separately, and the two models the tests use, built once per
// test process with griffin-convert.
#pragma once

#include <string>
#include <vector>

namespace griffin::test {

struct ToolRun {
  int exit_code;  // -1 when the tool died from a signal
  std::string out, err;
};

// Runs build/bin/<tool> with `args` (already shell-quoted where needed).
ToolRun run_tool(const std::string& tool, const std::string& args);
// The shell command that starts build/bin/<tool> (through the emulator in a cross build).
std::string tool_command(const std::string& tool);

// Shell-quotes one argument.
std::string quote(const std::string& arg);

// griffin-tiny with random weights (seed 7) and tests/data/tiny_tokenizer.model: vocab 512,
// 200 tokenizer pieces, layers RRARRA.
const std::string& tiny_model_with_tokenizer();
// tests/data/fixtures/griffin converted to f32: vocab 80, no tokenizer.
const std::string& fixture_model();
// The same checkpoint converted with --dtype `dtype` ("int8", "int4", ...), written under the
// scratch directory on each call.
std::string fixture_model_as(const std::string& dtype);
// A scratch directory that lives as long as the test process.
const std::string& scratch_dir();

// The fixture's token ids (tests/data/fixtures/griffin/tokens.json), and as "2,72,50,...".
std::vector<int> fixture_tokens();
std::string fixture_token_list();

}  // namespace griffin::test
