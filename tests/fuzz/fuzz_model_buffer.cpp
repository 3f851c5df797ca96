// Fuzz target: griffin_model_open_buffer on arbitrary bytes; when a model opens, its info and
// one decode step (the path a downloaded, corrupted file takes in an app).
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "griffin/griffin.h"
#include "tests/fuzz/fuzz_target.h"

GRIFFIN_FUZZ_TARGET(model_buffer) {
  // open_buffer needs 64-byte aligned data, as a mapping gives; libFuzzer's copy is not.
  void* aligned = std::aligned_alloc(64, (size + 63) / 64 * 64 + 64);
  if (aligned == nullptr) return 0;
  if (size > 0) std::memcpy(aligned, data, size);

  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* model = nullptr;
  if (griffin_model_open_buffer(aligned, size, &options, &model) == GRIFFIN_OK) {
    griffin_model_info info = {};
    info.struct_size = sizeof(info);
    if (griffin_model_get_info(model, &info) == GRIFFIN_OK) {
      griffin_session_options session_options = griffin_session_default_options();
      session_options.max_context = 64;
      // As an app with a memory ceiling would: a header may legitimately ask for a large session
      // (a long attention window), and the plan must refuse it with a status, not allocate it.
      session_options.max_memory_bytes = uint64_t{1} << 30;
      griffin_session* session = nullptr;
      if (griffin_session_create(model, &session_options, nullptr, 0, &session) == GRIFFIN_OK) {
        const float* logits = nullptr;
        const int32_t token = info.bos_id >= 0 && info.bos_id < info.vocab_size ? info.bos_id : 0;
        (void)griffin_session_decode(session, token, &logits);
        griffin_session_destroy(session);
      }
    }
    griffin_model_close(model);
  }
  std::free(aligned);
  return 0;
}
