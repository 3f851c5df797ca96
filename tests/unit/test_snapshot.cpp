// Session snapshots, restore and fork through the C API: a restored or forked session continues
// with bit-identical logits and samples (Griffin, Hawk and MQA fixtures, f32 and int8 weights,
// past the attention window's wrap); every bad snapshot is refused with a message and leaves
// the target session exactly as it was; sizes match hand-computed bytes for RecurrentGemma.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "converter/convert.h"
#include "format/model_config.h"
#include "griffin/griffin.h"
#include "plan/memory_plan.h"
#include "runtime/src/session_state.h"
#include "tests/support/fixture_models.h"
#include "tests/support/snapshot_reseal.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

griffin_session* new_session(griffin_model* model, griffin_dtype kv = GRIFFIN_DTYPE_F32,
                             uint64_t seed = 11) {
  griffin_session_options options = griffin_session_default_options();
  options.kv_dtype = kv;
  options.seed = seed;
  options.prefill_chunk = 4;  // several chunks per prompt
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  return session;
}

std::vector<uint8_t> save(const griffin_session* session) {
  size_t size = 0;
  REQUIRE(griffin_session_state_size(session, &size) == GRIFFIN_OK);
  std::vector<uint8_t> bytes(size);
  size_t written = 0;
  REQUIRE(griffin_session_save(session, bytes.data(), bytes.size(), &written) == GRIFFIN_OK);
  REQUIRE(written == size);
  return bytes;
}

std::vector<float> logits_of(const griffin_session* session) {
  const float* logits = nullptr;
  size_t vocab = 0;
  REQUIRE(griffin_session_logits(session, &logits, &vocab) == GRIFFIN_OK);
  return std::vector<float>(logits, logits + vocab);
}

// Loading `bytes` into `target` is refused with `message`, and leaves its state and logits
// exactly as they were.
void check_refused(griffin_session* target, const std::vector<uint8_t>& bytes,
                   const std::string& message) {
  INFO("expecting: " << message);
  const std::vector<uint8_t> state = save(target);
  const std::vector<float> logits = logits_of(target);
  CHECK(griffin_session_load(target, bytes.data(), bytes.size()) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(std::string(griffin_session_last_error(target)), Catch::Contains(message));
  CHECK(save(target) == state);
  CHECK(logits_of(target) == logits);
}

// Decodes `tokens` and returns every step's logits, then samples `samples` tokens with a
// temperature (the sampler's RNG and history are part of the state too).
struct Continuation {
  std::vector<std::vector<float>> logits;
  std::vector<int32_t> sampled;
};

Continuation continue_with(griffin_session* session, const std::vector<int32_t>& tokens,
                           int samples) {
  Continuation c;
  c.logits.push_back(logits_of(session));
  for (int32_t token : tokens) {
    REQUIRE(griffin_session_decode(session, token, nullptr) == GRIFFIN_OK);
    c.logits.push_back(logits_of(session));
  }
  griffin_sampler_options sampler = griffin_sampler_default_options();
  sampler.temperature = 1.5f;
  sampler.repetition_penalty = 1.3f;
  for (int i = 0; i < samples; ++i) {
    int32_t token = -1;
    REQUIRE(griffin_session_sample(session, &sampler, &token) == GRIFFIN_OK);
    c.sampled.push_back(token);
    REQUIRE(griffin_session_decode(session, token, nullptr) == GRIFFIN_OK);
  }
  return c;
}

void check_identical(const Continuation& a, const Continuation& b) {
  REQUIRE(a.logits.size() == b.logits.size());
  for (size_t i = 0; i < a.logits.size(); ++i) {
    INFO("step " << i);
    CHECK(std::memcmp(a.logits[i].data(), b.logits[i].data(), a.logits[i].size() * 4) == 0);
  }
  CHECK(a.sampled == b.sampled);
}

std::vector<int32_t> prompt_tokens() {
  // 9 tokens: past the attention windows of the fixtures (4 to 5), so the K/V ring has wrapped.
  return {2, 17, 5, 33, 61, 8, 40, 12, 47};  // ids < 64, the smallest vocabulary
}

}  // namespace

TEST_CASE("A restored or forked session continues bit-identically", "[snapshot]") {
  const std::string name = GENERATE("griffin", "hawk", "mqa");
  const DType dtype = GENERATE(DType::kF32, DType::kInt8);
  INFO(name << " " << dtype_name(dtype));
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, name, dtype));
  griffin_session* original = new_session(model);
  const std::vector<int32_t> prompt = prompt_tokens();
  REQUIRE(griffin_session_prefill(original, prompt.data(), prompt.size(), nullptr, 0) ==
          GRIFFIN_OK);
  const std::vector<uint8_t> snapshot = save(original);

  // Restored into a fresh session that first did something else entirely.
  griffin_session* restored = new_session(model);
  const int32_t other[3] = {9, 9, 9};
  REQUIRE(griffin_session_prefill(restored, other, 3, nullptr, 0) == GRIFFIN_OK);
  REQUIRE(griffin_session_load(restored, snapshot.data(), snapshot.size()) == GRIFFIN_OK);
  size_t position = 0;
  REQUIRE(griffin_session_position(restored, &position) == GRIFFIN_OK);
  CHECK(position == prompt.size());
  CHECK(save(restored) == snapshot);

  griffin_session* forked = nullptr;
  REQUIRE(griffin_session_fork(original, &forked) == GRIFFIN_OK);

  const std::vector<int32_t> next = {3, 44, 19, 60, 6, 50, 28};
  const Continuation expected = continue_with(original, next, 6);
  check_identical(expected, continue_with(restored, next, 6));
  check_identical(expected, continue_with(forked, next, 6));
  // The continuation is not trivially identical: the logits move from step to step.
  CHECK(expected.logits.front() != expected.logits.back());

  griffin_session_destroy(forked);
  griffin_session_destroy(restored);
  griffin_session_destroy(original);
  griffin_model_close(model);
}

TEST_CASE("A forked session is independent of its source", "[snapshot]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin", DType::kF32));
  griffin_session* source = new_session(model);
  const std::vector<int32_t> prompt = prompt_tokens();
  REQUIRE(griffin_session_prefill(source, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
  griffin_session* branch = nullptr;
  REQUIRE(griffin_session_fork(source, &branch) == GRIFFIN_OK);
  const std::vector<uint8_t> before = save(source);
  REQUIRE(griffin_session_decode(branch, 30, nullptr) == GRIFFIN_OK);
  CHECK(save(source) == before);  // the branch moved, the source did not
  size_t position = 0;
  REQUIRE(griffin_session_position(branch, &position) == GRIFFIN_OK);
  CHECK(position == prompt.size() + 1);
  griffin_session_destroy(source);  // the branch outlives its source
  REQUIRE(griffin_session_decode(branch, 31, nullptr) == GRIFFIN_OK);
  griffin_session_destroy(branch);
  griffin_model_close(model);
}

TEST_CASE("Bad snapshots are refused and leave the session as it was", "[snapshot]") {
  TempDir dir;
  const std::string griffin_f32 = convert_fixture(dir, "griffin", DType::kF32);
  griffin_model* model = open_model(griffin_f32);
  griffin_model* hawk = open_model(convert_fixture(dir, "hawk", DType::kF32));
  griffin_model* griffin_int8 = open_model(convert_fixture(dir, "griffin", DType::kInt8));
  griffin_model* same_file = open_model(griffin_f32);

  griffin_session* source = new_session(model);
  const std::vector<int32_t> prompt = prompt_tokens();
  REQUIRE(griffin_session_prefill(source, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
  const std::vector<uint8_t> good = save(source);

  // The target has its own state; every refusal must leave exactly that state.
  griffin_session* target = new_session(model);
  const int32_t own[2] = {4, 5};
  REQUIRE(griffin_session_prefill(target, own, 2, nullptr, 0) == GRIFFIN_OK);

  SECTION("truncated") {
    check_refused(target, std::vector<uint8_t>(good.begin(), good.end() - 1), "truncated");
    check_refused(target, std::vector<uint8_t>(good.begin(), good.begin() + 40), "truncated");
    check_refused(target, std::vector<uint8_t>(good.begin(), good.begin() + kSnapshotHeaderBytes),
                  "truncated");
    CHECK(griffin_session_load(target, good.data(), 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
  }
  SECTION("trailing bytes") {
    std::vector<uint8_t> longer = good;
    longer.push_back(0);
    check_refused(target, longer, "trailing");
  }
  SECTION("corrupt payload: one flipped bit in the RG-LRU state") {
    std::vector<uint8_t> bad = good;
    bad[kSnapshotHeaderBytes + 200] ^= 0x10;
    check_refused(target, bad, "payload is corrupt");
    bad = good;
    bad.back() ^= 1;  // the last byte of the counters
    check_refused(target, bad, "payload is corrupt");
  }
  SECTION("corrupt header") {
    std::vector<uint8_t> bad = good;
    bad[20] ^= 0x01;  // inside the model identity
    check_refused(target, bad, "header is corrupt");
  }
  SECTION("not a snapshot") {
    std::vector<uint8_t> bad = good;
    bad[0] = 'X';
    check_refused(target, bad, "bad magic");
  }
  SECTION("another format version") {
    std::vector<uint8_t> bad = good;
    bad[8] = 2;
    check_refused(target, bad, "version 2 is not supported");
  }
  SECTION("another model") {
    griffin_session* other = new_session(hawk);
    REQUIRE(griffin_session_prefill(other, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
    check_refused(target, save(other), "another model file");
    griffin_session_destroy(other);
  }
  SECTION("another quantization of the same model") {
    griffin_session* other = new_session(griffin_int8);
    REQUIRE(griffin_session_prefill(other, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
    check_refused(target, save(other), "another model file");
    griffin_session_destroy(other);
  }
  SECTION("other session options") {
    griffin_session* bf16 = new_session(model, GRIFFIN_DTYPE_BF16);
    check_refused(target, save(bf16), "kv_dtype bf16, this session uses f32");
    griffin_session_destroy(bf16);
  }
  SECTION("the same file opened twice is the same model") {
    griffin_session* twin = new_session(same_file);
    REQUIRE(griffin_session_load(twin, good.data(), good.size()) == GRIFFIN_OK);
    CHECK(logits_of(twin) == logits_of(source));
    griffin_session_destroy(twin);
  }
  SECTION("a buffer that is too small gets the size needed") {
    std::vector<uint8_t> small(good.size() - 1);
    size_t written = 0;
    CHECK(griffin_session_save(source, small.data(), small.size(), &written) ==
          GRIFFIN_ERR_OUT_OF_RANGE);
    CHECK(written == good.size());
  }
  SECTION("NULL arguments") {
    size_t bytes = 0;
    CHECK(griffin_session_state_size(nullptr, &bytes) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_session_save(source, nullptr, 10, &bytes) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_session_load(target, nullptr, 10) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_session_fork(nullptr, &target) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_session_save_file(source, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_session_load_file(target, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  }

  griffin_session_destroy(target);
  griffin_session_destroy(source);
  griffin_model_close(same_file);
  griffin_model_close(griffin_int8);
  griffin_model_close(hawk);
  griffin_model_close(model);
}

// A snapshot whose counters were rewritten by `edit` and whose checksums were then made to
// match, as anyone can (FNV-1a is no signature). The counters are the payload's last region, the
// history ring the one before it.
std::vector<uint8_t> resealed(std::vector<uint8_t> bytes, size_t history_size,
                              const std::function<void(SessionCounters&, int32_t*)>& edit) {
  const size_t counters_at = bytes.size() - kCountersBytes;
  const size_t history_at = counters_at - history_size * sizeof(int32_t);
  SessionCounters counters;
  std::memcpy(&counters, bytes.data() + counters_at, sizeof counters);
  std::vector<int32_t> history(history_size);
  std::memcpy(history.data(), bytes.data() + history_at, history_size * sizeof(int32_t));
  edit(counters, history.data());
  std::memcpy(bytes.data() + counters_at, &counters, sizeof counters);
  std::memcpy(bytes.data() + history_at, history.data(), history_size * sizeof(int32_t));
  reseal_snapshot(bytes.data(), bytes.size());
  return bytes;
}

TEST_CASE("A resealed snapshot with out-of-range counters is refused", "[snapshot]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin", DType::kF32));
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  REQUIRE(griffin_session_default_options().history_size == 0);
  const size_t history_size = 256;  // what 0 means

  griffin_session* source = new_session(model);
  const std::vector<int32_t> prompt = prompt_tokens();
  REQUIRE(griffin_session_prefill(source, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
  const std::vector<uint8_t> good = save(source);
  griffin_session* target = new_session(model);  // with its own state, which refusals keep
  const int32_t own[2] = {4, 5};
  REQUIRE(griffin_session_prefill(target, own, 2, nullptr, 0) == GRIFFIN_OK);

  SECTION("resealing alone, and counters still in range, load") {
    CHECK(resealed(good, history_size, [](SessionCounters&, int32_t*) {}) == good);
    const std::vector<uint8_t> moved =
        resealed(good, history_size, [](SessionCounters& c, int32_t*) {
          c.position = 1000;
          c.history_count = 1;
        });
    REQUIRE(griffin_session_load(target, moved.data(), moved.size()) == GRIFFIN_OK);
    // The payloads match (the header's position field is informational and follows the session).
    const std::vector<uint8_t> loaded = save(target);
    CHECK(std::vector<uint8_t>(loaded.begin() + kSnapshotHeaderBytes, loaded.end()) ==
          std::vector<uint8_t>(moved.begin() + kSnapshotHeaderBytes, moved.end()));
    int64_t position = 0;
    std::memcpy(&position, loaded.data() + 72, sizeof position);
    CHECK(position == 1000);
  }
  SECTION("a negative position") {
    check_refused(
        target, resealed(good, history_size, [](SessionCounters& c, int32_t*) { c.position = -1; }),
        "position -1 is outside [0, 9007199254740992]");
  }
  SECTION("a position past 2^53") {
    check_refused(
        target,
        resealed(good, history_size,
                 [](SessionCounters& c, int32_t*) { c.position = (int64_t{1} << 53) + 1; }),
        "is outside [0, 9007199254740992]");
  }
  SECTION("more recent tokens than the history holds, or fewer than none") {
    check_refused(target,
                  resealed(good, history_size,
                           [&](SessionCounters& c, int32_t*) {
                             c.history_count = static_cast<int64_t>(history_size) + 1;
                           }),
                  "257 recent tokens are outside [0, history_size 256]");
    check_refused(
        target,
        resealed(good, history_size, [](SessionCounters& c, int32_t*) { c.history_count = -2; }),
        "-2 recent tokens are outside");
  }
  SECTION("a recent token outside the vocabulary") {
    REQUIRE(prompt.size() >= 2);
    check_refused(
        target,
        resealed(good, history_size,
                 [&](SessionCounters&, int32_t* history) { history[1] = info.vocab_size; }),
        "outside the vocabulary");
    check_refused(
        target,
        resealed(good, history_size, [](SessionCounters&, int32_t* history) { history[0] = -1; }),
        "recent token -1");
  }
  SECTION("more held UTF-8 bytes than a character has") {
    check_refused(target,
                  resealed(good, history_size,
                           [](SessionCounters& c, int32_t*) {
                             std::memset(static_cast<void*>(&c.utf8), 0xFF, sizeof c.utf8);
                           }),
                  "unfinished character");
  }
  SECTION("a text-start flag that is neither true nor false") {
    check_refused(
        target,
        resealed(good, history_size,
                 [](SessionCounters& c, int32_t*) { std::memset(&c.at_text_start, 2, 1); }),
        "text-start flag");
  }

  griffin_session_destroy(target);
  griffin_session_destroy(source);
  griffin_model_close(model);
}

TEST_CASE("Snapshot files are written atomically and read back", "[snapshot]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin", DType::kF32));
  griffin_session* source = new_session(model);
  const std::vector<int32_t> prompt = prompt_tokens();
  REQUIRE(griffin_session_prefill(source, prompt.data(), prompt.size(), nullptr, 0) == GRIFFIN_OK);
  const std::string path = dir.file("state.grfs");
  REQUIRE(griffin_session_save_file(source, path.c_str()) == GRIFFIN_OK);
  const std::vector<uint8_t> bytes = save(source);
  CHECK(read_file(path) == std::string(bytes.begin(), bytes.end()));
  CHECK(dir.list() == std::vector<std::string>{"griffin-f32.griffin", "state.grfs"});

  griffin_session* restored = new_session(model);
  REQUIRE(griffin_session_load_file(restored, path.c_str()) == GRIFFIN_OK);
  CHECK(logits_of(restored) == logits_of(source));

  CHECK(griffin_session_load_file(restored, dir.file("missing").c_str()) == GRIFFIN_ERR_NOT_FOUND);
  write_file(dir.file("half"), std::string(bytes.begin(), bytes.begin() + bytes.size() / 2));
  CHECK(griffin_session_load_file(restored, dir.file("half").c_str()) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(griffin_session_last_error(restored), Catch::Contains("truncated"));
  write_file(dir.file("big"), std::string(bytes.size() + 1, 'x'));
  CHECK(griffin_session_load_file(restored, dir.file("big").c_str()) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  // A directory that does not exist: nothing is written anywhere.
  CHECK(griffin_session_save_file(source, dir.file("no/such/dir/state").c_str()) != GRIFFIN_OK);

  griffin_session_destroy(restored);
  griffin_session_destroy(source);
  griffin_model_close(model);
}

TEST_CASE("Snapshot sizes of RecurrentGemma 2B and 9B match the bytes computed by hand",
          "[snapshot][memory]") {
  // Persistent regions: RG-LRU state [L] f32 and conv state [3, L] f32 per recurrent layer,
  // K and V rings [2048, 256] per attention layer, logits [256000] f32, history [256] i32,
  // counters 128 bytes; plus the 96-byte header. Every region is a multiple of 64 bytes.
  struct Case {
    const char* preset;
    DType kv;
    uint64_t bytes;
  };
  const uint64_t common = 256000ull * 4 + 256 * 4 + 128 + 96;
  // 2B: 18 recurrent layers of L = 2560, 8 attention layers.
  const uint64_t rg2b = 18ull * 2560 * 4 + 18ull * 3 * 2560 * 4 + common;
  // 9B: 26 recurrent layers of L = 4096, 12 attention layers.
  const uint64_t rg9b = 26ull * 4096 * 4 + 26ull * 3 * 4096 * 4 + common;
  const Case cases[] = {
      {"recurrentgemma-2b", DType::kBF16, rg2b + 8ull * 2 * 2048 * 256 * 2},   // 18,539,744
      {"recurrentgemma-2b", DType::kF32, rg2b + 8ull * 2 * 2048 * 256 * 4},    // 35,316,960
      {"recurrentgemma-9b", DType::kBF16, rg9b + 12ull * 2 * 2048 * 256 * 2},  // 27,895,008
      {"recurrentgemma-9b", DType::kF32, rg9b + 12ull * 2 * 2048 * 256 * 4},   // 53,060,832
  };
  CHECK(cases[0].bytes == 18539744);
  CHECK(cases[1].bytes == 35316960);
  CHECK(cases[2].bytes == 27895008);
  CHECK(cases[3].bytes == 53060832);
  for (const Case& c : cases) {
    INFO(c.preset << " KV " << dtype_name(c.kv));
    SessionOptions options;
    options.kv_dtype = c.kv;
    const SessionLayout layout = plan_session(preset_config(c.preset).value(), options);
    CHECK(snapshot_bytes(layout) == c.bytes);
    // The length of the conversation does not matter (local attention only).
    options.max_context = 1 << 20;
    CHECK(snapshot_bytes(plan_session(preset_config(c.preset).value(), options)) == c.bytes);
  }
}

TEST_CASE("Output structs are written only up to the caller's struct_size", "[api][abi]") {
  // An app built against an older, smaller struct passes its own sizeof: bytes past it belong to
  // the app (here a canary) and must stay untouched.
  TempDir dir;
  const std::string path = convert_fixture(dir, "griffin", DType::kF32);
  griffin_model* model = open_model(path);
  griffin_session* session = new_session(model);
  constexpr unsigned char kCanary = 0xA5;

  SECTION("griffin_model_get_info") {
    // The fields up to vocab_size: width .. vocab_size are ten int32 after struct_size.
    const size_t old_size = offsetof(griffin_model_info, num_recurrent_layers);
    std::vector<unsigned char> bytes(sizeof(griffin_model_info), kCanary);
    griffin_model_info* info = reinterpret_cast<griffin_model_info*>(bytes.data());
    info->struct_size = old_size;
    REQUIRE(griffin_model_get_info(model, info) == GRIFFIN_OK);
    CHECK(info->struct_size == old_size);
    CHECK(info->width == 16);
    CHECK(info->vocab_size == 80);
    for (size_t i = old_size; i < bytes.size(); ++i) CHECK(bytes[i] == kCanary);
  }
  SECTION("griffin_model_memory_plan and griffin_file_memory_plan") {
    const size_t old_size = offsetof(griffin_memory_plan, counters_bytes);
    for (int file = 0; file < 2; ++file) {
      std::vector<unsigned char> bytes(sizeof(griffin_memory_plan), kCanary);
      griffin_memory_plan* plan = reinterpret_cast<griffin_memory_plan*>(bytes.data());
      plan->struct_size = old_size;
      REQUIRE((file ? griffin_file_memory_plan(path.c_str(), nullptr, plan)
                    : griffin_model_memory_plan(model, nullptr, plan)) == GRIFFIN_OK);
      CHECK(plan->kv_cache_bytes == 2ull * 2 * 5 * 8 * 4);
      for (size_t i = old_size; i < bytes.size(); ++i) CHECK(bytes[i] == kCanary);
    }
  }
  SECTION("griffin_memory_usage_get") {
    const size_t old_size = offsetof(griffin_memory_usage, session_bytes);
    std::vector<unsigned char> bytes(sizeof(griffin_memory_usage), kCanary);
    griffin_memory_usage* usage = reinterpret_cast<griffin_memory_usage*>(bytes.data());
    usage->struct_size = old_size;
    REQUIRE(griffin_memory_usage_get(model, session, usage) == GRIFFIN_OK);
    CHECK(usage->xnnpack_bytes > 0);
    for (size_t i = old_size; i < bytes.size(); ++i) CHECK(bytes[i] == kCanary);
  }
  SECTION("struct_size 0 is refused") {
    griffin_model_info info;
    std::memset(&info, 0, sizeof info);
    CHECK(griffin_model_get_info(model, &info) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK_THAT(griffin_last_error(), Catch::Contains("struct_size"));
    griffin_memory_plan plan;
    std::memset(&plan, 0, sizeof plan);
    CHECK(griffin_model_memory_plan(model, nullptr, &plan) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(griffin_file_memory_plan(path.c_str(), nullptr, &plan) == GRIFFIN_ERR_INVALID_ARGUMENT);
  }
  griffin_session_destroy(session);
  griffin_model_close(model);
}
