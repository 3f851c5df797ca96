// griffin_session_generate keeps the zero-allocation promise (docs/memory.md): continuing a reply (empty
// prompt) allocates nothing, and with a prompt the allocations (tokenizing it) do not depend
// on how many tokens are generated. Stop sequences and streamed pieces use fixed buffers.
#include <catch2/catch.hpp>

#include <string>

#include "converter/convert.h"
#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/alloc/malloc_counter.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

int count_bytes(const char*, size_t length, int32_t, void* user) {
  *static_cast<size_t*>(user) += length;
  return 0;
}

}  // namespace

TEST_CASE("generate allocates only to tokenize its prompt", "[memory][alloc][generate]") {
  TempDir dir;
  REQUIRE(
      write_synthetic_checkpoint(preset_config("griffin-tiny").value(), dir.file("hf"), {}).ok());
  write_file(dir.file("hf/tokenizer.model"),
             read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model"));
  REQUIRE(convert_checkpoint(dir.file("hf"), dir.file("tiny.griffin"), {}).ok());
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open(dir.file("tiny.griffin").c_str(), nullptr, &model) == GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  griffin_generate_options options = griffin_generate_default_options();
  options.sampler.temperature = 1.0f;
  const char* stops[] = {"never appears in this text \xE2\x82\xAC", "zzzz"};
  options.stop_sequences = stops;
  options.stop_sequence_count = 2;
  griffin_generate_result result;
  result.struct_size = sizeof result;
  const std::string prompt = "the program";
  size_t bytes = 0;

  // Generate before counting: the first call of any code path may set up lazily.
  REQUIRE(griffin_session_generate(session, prompt.data(), prompt.size(), &options, count_bytes,
                                   &bytes, &result) == GRIFFIN_OK);
  uint64_t with_prompt[2] = {0, 0};
  int32_t generated[2] = {0, 0};
  int failures = 0;
  for (int i = 0; i < 2; ++i) {
    options.max_tokens = i == 0 ? 10 : 1000;
    AllocationCounter counter;
    failures += griffin_session_generate(session, prompt.data(), prompt.size(), &options,
                                         count_bytes, &bytes, &result) != GRIFFIN_OK;
    with_prompt[i] = counter.stop();
    generated[i] = result.generated_tokens;
  }
  // Continuing (empty prompt) until 2000 tokens, through however many EOS stops come up.
  int32_t continued_tokens = 0;
  AllocationCounter counter;
  while (continued_tokens < 2000 && failures == 0) {
    options.max_tokens = 2000 - continued_tokens;
    failures += griffin_session_generate(session, "", 0, &options, count_bytes, &bytes, &result) !=
                GRIFFIN_OK;
    continued_tokens += result.generated_tokens;
  }
  const uint64_t continuing = counter.stop();

  CHECK(failures == 0);
  CHECK(continuing == 0);
  CHECK(continued_tokens == 2000);
  CHECK(with_prompt[0] == with_prompt[1]);
  CHECK(generated[1] > generated[0]);
  CHECK(bytes > 0);
  griffin_session_destroy(session);
  griffin_model_close(model);
}
