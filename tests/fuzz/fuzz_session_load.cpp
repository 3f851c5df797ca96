// Fuzz target: griffin_session_load on arbitrary snapshot bytes, into a session of the griffin
// fixture (recurrent and attention layers, so every kind of state is in a snapshot). A refused
// snapshot must leave the session as it was; an accepted one must decode.
// With GRIFFIN_FUZZ_WRITE_SEEDS=DIR set, the first call also writes real snapshots of that
// session to DIR (tests/fuzz/run.sh seeds from them, so seeds follow the snapshot format).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "griffin/griffin.h"
#include "plan/memory_plan.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/support/snapshot_reseal.h"

namespace {

griffin_session_options fuzz_session_options() {
  griffin_session_options options = griffin_session_default_options();
  options.max_context = 8;  // small snapshots: the fuzzer mutates every byte
  options.history_size = 4;
  return options;
}

griffin_model* open_fixture() {
  const std::string path = "/tmp/griffin-fuzz-session-" + std::to_string(getpid()) + ".griffin";
  griffin::ConvertOptions convert;
  if (!griffin::convert_checkpoint(std::string(GRIFFIN_FUZZ_DATA_DIR) + "/fixtures/griffin", path,
                                   convert)
           .ok()) {
    std::fprintf(stderr, "fuzz_session_load: cannot convert the griffin fixture\n");
    std::abort();
  }
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* model = nullptr;
  const griffin_status status = griffin_model_open(path.c_str(), &options, &model);
  unlink(path.c_str());
  if (status != GRIFFIN_OK) std::abort();
  return model;
}

void write_seeds(griffin_model* model, const char* dir) {
  const griffin_session_options options = fuzz_session_options();
  griffin_session* session = nullptr;
  if (griffin_session_create(model, &options, nullptr, 0, &session) != GRIFFIN_OK) return;
  const int32_t tokens[] = {2, 5, 7, 11, 13};
  for (size_t fed = 0; fed <= 5; fed += 5) {
    if (fed > 0 && griffin_session_prefill(session, tokens, fed, nullptr, 0) != GRIFFIN_OK) break;
    size_t bytes = 0;
    (void)griffin_session_state_size(session, &bytes);
    std::vector<uint8_t> snapshot(bytes);
    size_t written = 0;
    if (griffin_session_save(session, snapshot.data(), bytes, &written) != GRIFFIN_OK) break;
    const std::string path = std::string(dir) + "/snapshot-position-" + std::to_string(fed);
    if (FILE* file = std::fopen(path.c_str(), "wb")) {
      std::fwrite(snapshot.data(), 1, written, file);
      std::fclose(file);
    }
  }
  griffin_session_destroy(session);
}

// Loads `data` into the reset session. Accepted: it must decode and sample (the repetition
// penalty reads the restored history, the temperature the restored RNG). Refused: the session
// must be exactly as reset left it.
void try_load(griffin_session* session, const uint8_t* data, size_t size) {
  (void)griffin_session_reset(session);
  if (griffin_session_load(session, data, size) == GRIFFIN_OK) {
    griffin_sampler_options sampler = griffin_sampler_default_options();
    sampler.temperature = 0.8f;
    sampler.repetition_penalty = 1.3f;
    int32_t token = 0;
    (void)griffin_session_sample(session, &sampler, &token);
    const float* logits = nullptr;
    (void)griffin_session_decode(session, 3, &logits);
  } else {
    size_t position = 1;
    if (griffin_session_position(session, &position) != GRIFFIN_OK || position != 0) std::abort();
  }
}

}  // namespace

GRIFFIN_FUZZ_TARGET(session_load) {
  static griffin_model* const model = open_fixture();
  static griffin_session* const session = [] {
    const griffin_session_options options = fuzz_session_options();
    griffin_session* created = nullptr;
    if (griffin_session_create(model, &options, nullptr, 0, &created) != GRIFFIN_OK) std::abort();
    if (const char* dir = std::getenv("GRIFFIN_FUZZ_WRITE_SEEDS")) write_seeds(model, dir);
    return created;
  }();

  try_load(session, data, size);
  // The checksums stop almost every mutation at the door. Anyone can make them match, so the
  // same bytes go in again resealed: what lies behind the checksums is checked too.
  if (size >= griffin::kSnapshotHeaderBytes) {
    std::vector<uint8_t> bytes(data, data + size);
    griffin::test::reseal_snapshot(bytes.data(), bytes.size());
    try_load(session, bytes.data(), bytes.size());
  }
  return 0;
}
