// A model file truncated while it is mapped (README "Reliability"): the pages past the new end
// are gone, so the next read of a weight raises SIGBUS and kills the process. An app that cannot
// guarantee the file opens a private copy instead (read into its own memory, then
// griffin_model_open_buffer), which keeps running. Both run in a forked child so the SIGBUS
// does not take the test runner with it.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

#include "griffin/griffin.h"
#include "tests/support/test_files.h"

namespace {

const char* const kModelPath =
    GRIFFIN_SOURCE_DIR "/examples/models/kjv-griffin/kjv-griffin.griffin";

// In the child: open `path` (mapped, or through a private copy), decode, truncate the file to
// zero bytes, decode again. Exit 0 when every decode succeeded; another code for a setup failure.
[[noreturn]] void child(const std::string& path, bool private_copy) {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* model = nullptr;
  void* copy = nullptr;
  if (private_copy) {
    const std::string bytes = griffin::test::read_file(path);
    copy = std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64);
    if (copy == nullptr) _exit(10);
    std::memcpy(copy, bytes.data(), bytes.size());
    if (griffin_model_open_buffer(copy, bytes.size(), &options, &model) != GRIFFIN_OK) _exit(11);
  } else if (griffin_model_open(path.c_str(), &options, &model) != GRIFFIN_OK) {
    _exit(11);
  }
  griffin_session* session = nullptr;
  if (griffin_session_create(model, nullptr, nullptr, 0, &session) != GRIFFIN_OK) _exit(12);
  const float* logits = nullptr;
  if (griffin_session_decode(session, 2, &logits) != GRIFFIN_OK) _exit(13);
  if (truncate(path.c_str(), 0) != 0) _exit(14);
  for (int32_t token = 3; token < 8; ++token) {
    if (griffin_session_decode(session, token, &logits) != GRIFFIN_OK) _exit(15);
  }
  _exit(0);
}

int run_child(const std::string& path, bool private_copy) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) child(path, private_copy);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("a mapped model file truncated under the process raises SIGBUS", "[file][mapping]") {
  griffin::test::TempDir dir;
  const std::string path = dir.file("model.griffin");
  griffin::test::write_file(path, griffin::test::read_file(kModelPath));
  const int status = run_child(path, false);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer catches SIGBUS itself, reports it and exits with an error.
  CHECK(((WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS) ||
         (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) < 10)));
#else
  INFO("wait status " << status);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGBUS);
#endif
}

TEST_CASE("a private copy keeps decoding after its file is truncated", "[file][mapping]") {
  griffin::test::TempDir dir;
  const std::string path = dir.file("model.griffin");
  griffin::test::write_file(path, griffin::test::read_file(kModelPath));
  const int status = run_child(path, true);
  INFO("wait status " << status);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
