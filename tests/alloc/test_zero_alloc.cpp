// The zero-allocation promise (docs/memory.md): after griffin_session_create returns, generating
// allocates nothing and resident memory stays flat, however long the sequence. The allocation
// counter sees every malloc/calloc/realloc/aligned allocation and operator new in the process. No
// Catch2 assertion runs while counting (Catch allocates); results are checked afterwards.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <string>

#include "converter/convert.h"
#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/alloc/malloc_counter.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

// griffin-tiny (window 32) with random weights and the tiny SentencePiece tokenizer.
std::string make_model(const TempDir& dir) {
  SyntheticOptions options;
  options.seed = 11;
  REQUIRE(write_synthetic_checkpoint(preset_config("griffin-tiny").value(), dir.file("hf"), options)
              .ok());
  write_file(dir.file("hf/tokenizer.model"),
             read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model"));
  const std::string path = dir.file("tiny.griffin");
  REQUIRE(convert_checkpoint(dir.file("hf"), path, {}).ok());
  return path;
}

// One "Name:   N kB" line of /proc/self/status, in bytes; 0 when absent.
uint64_t status_bytes(const char* name) {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  char line[256];
  const size_t length = std::strlen(name);
  uint64_t kib = 0;
  while (status && std::fgets(line, sizeof line, status)) {
    if (std::strncmp(line, name, length) == 0 && line[length] == ':') {
      kib = std::strtoull(line + length + 1, nullptr, 10);
    }
  }
  if (status) std::fclose(status);
  return kib * 1024;
}

// Resident anonymous memory (heap, stacks, the arena): what a leak or a late allocation would
// grow. VmRSS also counts file-backed pages (code, the mapped model), which the kernel maps in
// and drops as it likes: under a parallel CTest it once grew 12 KB over the run with nothing
// allocated. Kernels before 4.5 have no RssAnon; there it falls back to VmRSS.
uint64_t resident_bytes() {
  const uint64_t anonymous = status_bytes("RssAnon");
  return anonymous > 0 ? anonymous : status_bytes("VmRSS");
}

}  // namespace

TEST_CASE("Thousands of decode steps allocate nothing", "[memory][alloc]") {
  const int threads = GENERATE(1, 2);
  INFO("threads " << threads);
  TempDir dir;
  const std::string path = make_model(dir);
  griffin_model_options model_options = griffin_model_default_options();
  model_options.num_threads = threads;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  griffin_session_options options = griffin_session_default_options();
  options.prefill_chunk = 16;
  options.seed = 5;
  options.kv_dtype = GRIFFIN_DTYPE_BF16;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  griffin_sampler_options sampler = griffin_sampler_default_options();
  sampler.temperature = 0.9f;
  sampler.top_k = 40;
  sampler.top_p = 0.95f;
  sampler.min_p = 0.01f;
  sampler.repetition_penalty = 1.1f;
  int32_t prompt[40];
  for (int i = 0; i < 40; ++i) prompt[i] = 2 + i;
  std::vector<float> all_logits(40 * 512);  // allocated before counting starts
  char text[256];

  int failures = 0, steps = 0;
  AllocationCounter counter;
  failures += griffin_session_prefill(session, prompt, 40, all_logits.data(), all_logits.size()) !=
              GRIFFIN_OK;
  for (; steps < 3000 && failures == 0; ++steps) {
    int32_t token = 0;
    size_t length = 0;
    failures += griffin_session_sample(session, &sampler, &token) != GRIFFIN_OK;
    failures +=
        griffin_session_token_text(session, token, text, sizeof text, &length) != GRIFFIN_OK;
    failures += griffin_session_decode(session, token, nullptr) != GRIFFIN_OK;
  }
  failures += griffin_session_reset(session) != GRIFFIN_OK;
  failures += griffin_session_prefill(session, prompt, 40, nullptr, 0) != GRIFFIN_OK;
  const uint64_t allocations = counter.stop();

  CHECK(failures == 0);
  CHECK(steps == 3000);
  CHECK(allocations == 0);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("Saving and restoring a snapshot allocates nothing", "[memory][alloc][snapshot]") {
  TempDir dir;
  const std::string path = make_model(dir);
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  int32_t prompt[20];
  for (int i = 0; i < 20; ++i) prompt[i] = 2 + i;
  REQUIRE(griffin_session_prefill(session, prompt, 20, nullptr, 0) == GRIFFIN_OK);
  size_t size = 0;
  REQUIRE(griffin_session_state_size(session, &size) == GRIFFIN_OK);
  std::vector<uint8_t> snapshot(size);  // allocated before counting starts

  int failures = 0;
  size_t written = 0;
  AllocationCounter counter;
  for (int round = 0; round < 50; ++round) {
    failures +=
        griffin_session_save(session, snapshot.data(), snapshot.size(), &written) != GRIFFIN_OK;
    failures += griffin_session_decode(session, 7, nullptr) != GRIFFIN_OK;
    failures += griffin_session_load(session, snapshot.data(), written) != GRIFFIN_OK;
  }
  const uint64_t allocations = counter.stop();

  CHECK(failures == 0);
  CHECK(written == size);
  CHECK(allocations == 0);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("The allocation counter sees allocations", "[memory][alloc]") {
  AllocationCounter counter;
  std::string* made = new std::string(100, 'x');  // operator new -> malloc
  void* raw = std::malloc(10);
  const uint64_t allocations = counter.stop();
  std::free(raw);
  delete made;
  CHECK(allocations >= 2);
}

TEST_CASE("Resident memory stays flat over 20000 tokens", "[memory][rss]") {
  TempDir dir;
  const std::string path = make_model(dir);
  griffin_model_options model_options = griffin_model_default_options();
  model_options.num_threads = 1;
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &model_options, &model) == GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  int failures = 0;
  uint64_t after_window = 0;
  for (int step = 0; step < 20000; ++step) {
    failures += griffin_session_decode(session, 3 + (step * 13) % 500, nullptr) != GRIFFIN_OK;
    if (step == 64) after_window = resident_bytes();  // window 32: the ring is full and wrapped
  }
  const uint64_t at_end = resident_bytes();
  CHECK(failures == 0);
  size_t position = 0;
  REQUIRE(griffin_session_position(session, &position) == GRIFFIN_OK);
  CHECK(position == 20000);
  INFO("resident anonymous bytes after the window " << after_window << ", after 20000 tokens "
                                                    << at_end << " (VmRSS now "
                                                    << status_bytes("VmRSS") << ")");
  CHECK(after_window > 0);
  CHECK(at_end <= after_window);
  griffin_session_destroy(session);
  griffin_model_close(model);
}
