// griffin-chat driven through stdin on the bundled KJV model: replies stream, later turns feed
// only their own text (the history is never fed again), /stats, /save + /reset + /load give
// the same continuation as never leaving, EOF and /quit end cleanly, Ctrl-C cancels a reply
// and not the program, unknown commands and bad arguments are reported.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "tests/cli/tools/tool_runner.h"
#include "tests/support/test_files.h"

namespace griffin::test {
namespace {

const std::string kModel =
    std::string(GRIFFIN_TEST_DATA_DIR) + "/../../examples/models/kjv-griffin/kjv-griffin.griffin";

// Runs griffin-chat on the bundled model (greedy, one thread) with `input` on stdin.
ToolRun chat(const std::string& input, const std::string& extra = "-n 16") {
  static int counter = 0;
  const std::string input_path = scratch_dir() + "/chat-input" + std::to_string(counter++);
  write_file(input_path, input);
  return run_tool("griffin-chat",
                  "-m " + quote(kModel) + " -t 1 --temp 0 " + extra + " < " + quote(input_path));
}

// The numbers of every "[turn: P prompt tokens, R reply tokens, stop: ...]" line.
std::vector<std::pair<int, int>> turns(const std::string& err) {
  std::vector<std::pair<int, int>> found;
  const std::regex line("\\[turn: ([0-9]+) prompt tokens, ([0-9]+) reply tokens");
  for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator();
       ++it) {
    found.emplace_back(std::stoi((*it)[1]), std::stoi((*it)[2]));
  }
  return found;
}

std::vector<long> stat_tokens(const std::string& err) {
  std::vector<long> found;
  const std::regex line("tokens: ([0-9]+)\n");
  for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator();
       ++it) {
    found.push_back(std::stol((*it)[1]));
  }
  return found;
}

TEST_CASE("griffin-chat keeps the conversation without feeding the history again", "[tools]") {
  const std::string long_message =
      "And the earth was without form, and void; and darkness was upon the face of the deep";
  const ToolRun run = chat(long_message + "\nAmen\n/stats\n/quit\n", "-n 16 -v");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(std::regex_search(run.out, std::regex("[A-Za-z]")));
  const auto t = turns(run.err);
  REQUIRE(t.size() == 2);
  // The second turn feeds its own markers and word only: far fewer tokens than the first turn's
  // prompt and reply, which stay in the recurrent state.
  CHECK(t[1].first < t[0].first);
  CHECK(t[1].first < 16);
  const auto tokens = stat_tokens(run.err);
  REQUIRE(tokens.size() == 1);
  CHECK(tokens[0] == t[0].first + t[0].second + t[1].first + t[1].second);
  CHECK(std::regex_search(run.err, std::regex("state bytes: [0-9]+")));
  CHECK(std::regex_search(run.err, std::regex("prefill: [0-9]+ tokens, [0-9.]+ tokens/s")));
  CHECK(std::regex_search(run.err, std::regex("decode: [0-9]+ tokens, [0-9.]+ tokens/s")));
}

TEST_CASE("griffin-chat /save, /reset and /load continue exactly where it was", "[tools]") {
  const std::string snapshot = scratch_dir() + "/chat.snapshot";
  const ToolRun straight = chat("In the beginning\nAnd God said\n");
  const ToolRun restored = chat("In the beginning\n/save " + snapshot + "\n/reset\n/stats\n/load " +
                                snapshot + "\n/stats\nAnd God said\n");
  INFO(restored.err);
  REQUIRE(straight.exit_code == 0);  // EOF ends the chat like /quit
  REQUIRE(restored.exit_code == 0);
  CHECK(file_exists(snapshot));
  CHECK(restored.err.find("[saved to " + snapshot + "]") != std::string::npos);
  CHECK(restored.err.find("[loaded " + snapshot + "]") != std::string::npos);
  const auto tokens = stat_tokens(restored.err);
  REQUIRE(tokens.size() == 2);
  CHECK(tokens[0] == 0);  // after /reset
  CHECK(tokens[1] > 0);   // the loaded conversation
  // Replies go to stdout only, so both transcripts are the same text.
  CHECK(restored.out == straight.out);
}

TEST_CASE("griffin-chat: Ctrl-C cancels the reply, not the program", "[tools]") {
  const std::string input_path = scratch_dir() + "/chat-interrupt";
  write_file(input_path, "In the beginning\n/stats\n/quit\n");
  // A reply far too long to finish; SIGINT every half second until the program has ended (the
  // first that lands during the reply cancels it; /stats and /quit follow). TERM after a minute.
  const std::string script =
      "sh -c " +
      quote(tool_command("griffin-chat") + " -m " + quote(kModel) + " -t 1 -n 1000000 < " +
            quote(input_path) +
            " & pid=$!; i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; "
            "kill -INT $pid 2>/dev/null; i=$((i+1)); done; kill -TERM $pid 2>/dev/null; "
            "wait $pid");
  std::string output;
  const int status = run_command(script, &output);
  INFO(output);
  CHECK(status == 0);
  CHECK(output.find("[cancelled]") != std::string::npos);
  CHECK(std::regex_search(output, std::regex("tokens: [0-9]+")));  // /stats ran afterwards
}

TEST_CASE("griffin-chat reports unknown commands and bad arguments", "[tools]") {
  const ToolRun run = chat("/bogus\n/save\n/load /nonexistent/snapshot\n/quit\n");
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("unknown command /bogus") != std::string::npos);
  CHECK(run.err.find("/save needs a file name") != std::string::npos);
  CHECK(run.err.find("/nonexistent/snapshot") != std::string::npos);
  const ToolRun missing = run_tool("griffin-chat", "-m /nonexistent.griffin < /dev/null");
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("griffin-chat: error:") != std::string::npos);
}

}  // namespace
}  // namespace griffin::test
