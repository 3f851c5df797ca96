// A model file truncated while it is mapped (README "Reliability"): the pages past the new end
// are gone, so the next read of a weight raises SIGBUS and kills the process. An app that cannot
// guarantee the file sets griffin_model_options.copy_weights, or opens its own private copy
// (read into its memory, then griffin_model_open_buffer); both keep running. Both run in a forked
// child so the SIGBUS does not take the test runner with it.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "griffin/griffin.h"
#include "tests/support/test_files.h"

namespace {

const char* const kModelPath =
    GRIFFIN_SOURCE_DIR "/examples/models/kjv-griffin/kjv-griffin.griffin";

// In the child: open `path` (mapped, or through a private copy), decode, truncate the file to
// zero bytes, decode again. Exit 0 when every decode succeeded; another code for a setup failure.
enum class Open { kMapped, kCopyWeights, kOwnBuffer };

[[noreturn]] void child(const std::string& path, Open how) {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  options.copy_weights = how == Open::kCopyWeights;
  const bool private_copy = how == Open::kOwnBuffer;
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

int run_child(const std::string& path, Open how) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) child(path, how);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("a mapped model file truncated under the process raises SIGBUS", "[file][mapping]") {
  griffin::test::TempDir dir;
  const std::string path = dir.file("model.griffin");
  griffin::test::write_file(path, griffin::test::read_file(kModelPath));
  const int status = run_child(path, Open::kMapped);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer catches SIGBUS itself, reports it and exits with an error, or aborts
  // (ASAN_OPTIONS=abort_on_error=1, as scripts/sanitize.sh sets).
  INFO("wait status " << status);
  CHECK(((WIFSIGNALED(status) && (WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGABRT)) ||
         (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) < 10)));
#else
  INFO("wait status " << status);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGBUS);
#endif
}

TEST_CASE("copy_weights and a private copy keep decoding after the file is truncated",
          "[file][mapping]") {
  griffin::test::TempDir dir;
  const std::string path = dir.file("model.griffin");
  for (Open how : {Open::kCopyWeights, Open::kOwnBuffer}) {
    griffin::test::write_file(path, griffin::test::read_file(kModelPath));
    const int status = run_child(path, how);
    INFO("open " << static_cast<int>(how) << ", wait status " << status);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

TEST_CASE("copy_weights gives the mapped model's logits and reports a missing file",
          "[file][mapping]") {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* mapped = nullptr;
  REQUIRE(griffin_model_open(kModelPath, &options, &mapped) == GRIFFIN_OK);
  options.copy_weights = true;
  griffin_model* copied = nullptr;
  REQUIRE(griffin_model_open(kModelPath, &options, &copied) == GRIFFIN_OK);
  std::vector<float> expected;
  for (griffin_model* model : {mapped, copied}) {
    griffin_session* session = nullptr;
    REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
    const int32_t tokens[] = {2, 100, 200, 300};
    REQUIRE(griffin_session_prefill(session, tokens, 4, nullptr, 0) == GRIFFIN_OK);
    const float* logits = nullptr;
    size_t n = 0;
    REQUIRE(griffin_session_logits(session, &logits, &n) == GRIFFIN_OK);
    if (expected.empty()) {
      expected.assign(logits, logits + n);
    } else {
      REQUIRE(n == expected.size());
      CHECK(std::memcmp(logits, expected.data(), n * sizeof(float)) == 0);
    }
    griffin_session_destroy(session);
  }
  griffin_model_close(mapped);
  griffin_model_close(copied);

  griffin_model* missing = nullptr;
  CHECK(griffin_model_open("/nonexistent/model.griffin", &options, &missing) ==
        GRIFFIN_ERR_NOT_FOUND);
  CHECK(missing == nullptr);
  CHECK(std::string(griffin_last_error()).find("/nonexistent/model.griffin") != std::string::npos);
}
