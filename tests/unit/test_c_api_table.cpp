// Every public function of griffin.h called with NULL, out-of-range values and in the wrong
// state: each returns an error status and leaves a message in griffin_last_error(); none
// crashes. The function list is parsed from the header, so a new function without a row here
// fails the first test case.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "griffin/griffin.h"
#include "tests/support/fixture_models.h"
#include "tests/support/test_files.h"

namespace {

const char* const kSentinel = "/nonexistent/c-api-table-sentinel.griffin";
const char* const kKjvPath = GRIFFIN_SOURCE_DIR "/examples/models/kjv-griffin/kjv-griffin.griffin";

// Models and sessions the rows use: the bundled model (with a tokenizer) and the hawk fixture
// (token ids only, another model for cross-model checks).
struct Handles {
  griffin::test::TempDir dir;
  griffin_model* kjv = nullptr;
  griffin_model* hawk = nullptr;
  griffin_session* fresh = nullptr;  // kjv, nothing fed: "before prefill"
  griffin_session* hawk_session = nullptr;
  Handles() {
    kjv = griffin::test::open_model(kKjvPath);
    hawk = griffin::test::open_model(griffin::test::convert_fixture(dir, "hawk"));
    REQUIRE(griffin_session_create(kjv, nullptr, nullptr, 0, &fresh) == GRIFFIN_OK);
    REQUIRE(griffin_session_create(hawk, nullptr, nullptr, 0, &hawk_session) == GRIFFIN_OK);
  }
  ~Handles() {
    griffin_session_destroy(fresh);
    griffin_session_destroy(hawk_session);
    griffin_model_close(kjv);
    griffin_model_close(hawk);
  }
};

// One bad call: it must return an error (not GRIFFIN_OK) with a message.
struct Row {
  std::string function;
  std::string what;
  std::function<griffin_status(Handles&)> call;
  bool message = true;  // griffin_session_cancel(NULL) records no message, by contract
};

// Functions that return no status: called with bad input, they must not crash and must return
// something usable. Checked by their own rows below.
const std::set<std::string> kNoStatus = {"griffin_version",
                                         "griffin_status_string",
                                         "griffin_last_error",
                                         "griffin_model_default_options",
                                         "griffin_model_close",
                                         "griffin_session_default_options",
                                         "griffin_session_destroy",
                                         "griffin_sampler_default_options",
                                         "griffin_session_last_error",
                                         "griffin_generate_default_options"};

std::vector<Row> rows() {
  griffin_model_info info_template = {};
  info_template.struct_size = sizeof(info_template);
  return {
      {"griffin_model_open", "NULL path",
       [](Handles&) {
         griffin_model* m = nullptr;
         return griffin_model_open(nullptr, nullptr, &m);
       }},
      {"griffin_model_open", "NULL out",
       [](Handles&) { return griffin_model_open(kKjvPath, nullptr, nullptr); }},
      {"griffin_model_open", "missing file",
       [](Handles&) {
         griffin_model* m = nullptr;
         return griffin_model_open("/nonexistent.griffin", nullptr, &m);
       }},
      {"griffin_model_open", "options struct_size 0",
       [](Handles&) {
         griffin_model_options o = griffin_model_default_options();
         o.struct_size = 0;
         griffin_model* m = nullptr;
         return griffin_model_open(kKjvPath, &o, &m);
       }},
      {"griffin_model_open", "negative num_threads",
       [](Handles&) {
         griffin_model_options o = griffin_model_default_options();
         o.num_threads = -3;
         griffin_model* m = nullptr;
         return griffin_model_open(kKjvPath, &o, &m);
       }},
      {"griffin_model_open", "activation_scale out of range",
       [](Handles&) {
         griffin_model_options o = griffin_model_default_options();
         o.activation_scale = 7;
         griffin_model* m = nullptr;
         return griffin_model_open(kKjvPath, &o, &m);
       }},
      {"griffin_model_open_fd", "bad fd",
       [](Handles&) {
         griffin_model* m = nullptr;
         return griffin_model_open_fd(-1, 0, 0, nullptr, &m);
       }},
      {"griffin_model_open_buffer", "NULL data",
       [](Handles&) {
         griffin_model* m = nullptr;
         return griffin_model_open_buffer(nullptr, 64, nullptr, &m);
       }},
      {"griffin_model_open_buffer", "garbage",
       [](Handles&) {
         alignas(64) static unsigned char garbage[256] = {1, 2, 3};
         griffin_model* m = nullptr;
         return griffin_model_open_buffer(garbage, sizeof(garbage), nullptr, &m);
       }},
      {"griffin_model_get_info", "NULL model",
       [info_template](Handles&) {
         griffin_model_info i = info_template;
         return griffin_model_get_info(nullptr, &i);
       }},
      {"griffin_model_get_info", "NULL info",
       [](Handles& h) { return griffin_model_get_info(h.kjv, nullptr); }},
      {"griffin_model_get_info", "struct_size 0",
       [](Handles& h) {
         griffin_model_info i = {};
         return griffin_model_get_info(h.kjv, &i);
       }},
      {"griffin_model_kernels", "NULL model",
       [](Handles&) {
         const char* d = nullptr;
         return griffin_model_kernels(nullptr, &d);
       }},
      {"griffin_model_kernels", "NULL out",
       [](Handles& h) { return griffin_model_kernels(h.kjv, nullptr); }},
      {"griffin_model_dtype_recipe", "NULL model",
       [](Handles&) {
         const char* r = nullptr;
         return griffin_model_dtype_recipe(nullptr, &r);
       }},
      {"griffin_model_dtype_recipe", "NULL out",
       [](Handles& h) { return griffin_model_dtype_recipe(h.kjv, nullptr); }},
      {"griffin_model_block_type", "NULL model",
       [](Handles&) {
         griffin_block_type t;
         return griffin_model_block_type(nullptr, 0, &t);
       }},
      {"griffin_model_block_type", "layer -1",
       [](Handles& h) {
         griffin_block_type t;
         return griffin_model_block_type(h.kjv, -1, &t);
       }},
      {"griffin_model_block_type", "layer past depth",
       [](Handles& h) {
         griffin_block_type t;
         return griffin_model_block_type(h.kjv, 1 << 20, &t);
       }},
      {"griffin_tokenize", "NULL model",
       [](Handles&) {
         int32_t t[4];
         size_t n;
         return griffin_tokenize(nullptr, "a", 1, true, t, 4, &n);
       }},
      {"griffin_tokenize", "NULL text",
       [](Handles& h) {
         int32_t t[4];
         size_t n;
         return griffin_tokenize(h.kjv, nullptr, 5, true, t, 4, &n);
       }},
      {"griffin_tokenize", "capacity too small",
       [](Handles& h) {
         int32_t t[1];
         size_t n;
         return griffin_tokenize(h.kjv, "In the beginning", 16, true, t, 1, &n);
       }},
      {"griffin_tokenize", "model without tokenizer",
       [](Handles& h) {
         int32_t t[4];
         size_t n;
         return griffin_tokenize(h.hawk, "a", 1, true, t, 4, &n);
       }},
      {"griffin_detokenize", "NULL model",
       [](Handles&) {
         int32_t t = 5;
         char s[8];
         size_t n;
         return griffin_detokenize(nullptr, &t, 1, s, 8, &n);
       }},
      {"griffin_detokenize", "id out of range",
       [](Handles& h) {
         int32_t t = 1 << 30;
         char s[8];
         size_t n;
         return griffin_detokenize(h.kjv, &t, 1, s, 8, &n);
       }},
      {"griffin_detokenize", "negative id",
       [](Handles& h) {
         int32_t t = -1;
         char s[8];
         size_t n;
         return griffin_detokenize(h.kjv, &t, 1, s, 8, &n);
       }},
      {"griffin_token_id", "NULL piece",
       [](Handles& h) {
         int32_t id;
         return griffin_token_id(h.kjv, nullptr, &id);
       }},
      {"griffin_token_id", "unknown piece",
       [](Handles& h) {
         int32_t id;
         return griffin_token_id(h.kjv, "<no such piece>", &id);
       }},
      {"griffin_session_create", "NULL model",
       [](Handles&) {
         griffin_session* s = nullptr;
         return griffin_session_create(nullptr, nullptr, nullptr, 0, &s);
       }},
      {"griffin_session_create", "NULL out",
       [](Handles& h) { return griffin_session_create(h.kjv, nullptr, nullptr, 0, nullptr); }},
      {"griffin_session_create", "buffer too small",
       [](Handles& h) {
         alignas(64) static unsigned char buffer[64];
         griffin_session* s = nullptr;
         return griffin_session_create(h.kjv, nullptr, buffer, sizeof(buffer), &s);
       }},
      {"griffin_session_create", "negative prefill_chunk",
       [](Handles& h) {
         griffin_session_options o = griffin_session_default_options();
         o.prefill_chunk = -1;
         griffin_session* s = nullptr;
         return griffin_session_create(h.kjv, &o, nullptr, 0, &s);
       }},
      {"griffin_session_reset", "NULL", [](Handles&) { return griffin_session_reset(nullptr); }},
      {"griffin_session_position", "NULL session",
       [](Handles&) {
         size_t p;
         return griffin_session_position(nullptr, &p);
       }},
      {"griffin_session_position", "NULL out",
       [](Handles& h) { return griffin_session_position(h.fresh, nullptr); }},
      {"griffin_session_prefill", "NULL session",
       [](Handles&) {
         int32_t t = 2;
         return griffin_session_prefill(nullptr, &t, 1, nullptr, 0);
       }},
      {"griffin_session_prefill", "NULL tokens",
       [](Handles& h) { return griffin_session_prefill(h.fresh, nullptr, 3, nullptr, 0); }},
      {"griffin_session_prefill", "zero tokens",
       [](Handles& h) {
         int32_t t = 2;
         return griffin_session_prefill(h.fresh, &t, 0, nullptr, 0);
       }},
      {"griffin_session_prefill", "token past vocab",
       [](Handles& h) {
         int32_t t = 1 << 30;
         return griffin_session_prefill(h.fresh, &t, 1, nullptr, 0);
       }},
      {"griffin_session_prefill", "all_logits too small",
       [](Handles& h) {
         int32_t t[2] = {2, 3};
         float l[4];
         return griffin_session_prefill(h.fresh, t, 2, l, 4);
       }},
      {"griffin_session_decode", "NULL session",
       [](Handles&) {
         const float* l;
         return griffin_session_decode(nullptr, 2, &l);
       }},
      {"griffin_session_decode", "negative token",
       [](Handles& h) {
         const float* l;
         return griffin_session_decode(h.fresh, -1, &l);
       }},
      {"griffin_batch_decode", "NULL sessions",
       [](Handles&) {
         const int32_t t[1] = {2};
         return griffin_batch_decode(nullptr, t, 1);
       }},
      {"griffin_batch_decode", "model opened without max_batch",
       [](Handles& h) {
         griffin_session* const s[1] = {h.fresh};
         const int32_t t[1] = {2};
         return griffin_batch_decode(s, t, 1);
       }},
      {"griffin_session_logits", "NULL session",
       [](Handles&) {
         const float* l;
         size_t n;
         return griffin_session_logits(nullptr, &l, &n);
       }},
      {"griffin_session_logits", "before prefill",
       [](Handles& h) {
         const float* l;
         size_t n;
         return griffin_session_logits(h.fresh, &l, &n);
       }},
      {"griffin_session_sample", "NULL session",
       [](Handles&) {
         int32_t t;
         return griffin_session_sample(nullptr, nullptr, &t);
       }},
      {"griffin_session_sample", "before prefill",
       [](Handles& h) {
         int32_t t;
         return griffin_session_sample(h.fresh, nullptr, &t);
       }},
      {"griffin_session_token_text", "NULL session",
       [](Handles&) {
         char s[8];
         size_t n;
         return griffin_session_token_text(nullptr, 5, s, 8, &n);
       }},
      {"griffin_session_token_text", "token out of range",
       [](Handles& h) {
         char s[8];
         size_t n;
         return griffin_session_token_text(h.fresh, 1 << 30, s, 8, &n);
       }},
      {"griffin_model_memory_plan", "NULL model",
       [](Handles&) {
         griffin_memory_plan p = {};
         p.struct_size = sizeof(p);
         return griffin_model_memory_plan(nullptr, nullptr, &p);
       }},
      {"griffin_model_memory_plan", "NULL plan",
       [](Handles& h) { return griffin_model_memory_plan(h.kjv, nullptr, nullptr); }},
      {"griffin_file_memory_plan", "missing file",
       [](Handles&) {
         griffin_memory_plan p = {};
         p.struct_size = sizeof(p);
         return griffin_file_memory_plan("/nonexistent", nullptr, &p);
       }},
      {"griffin_file_memory_plan", "NULL path",
       [](Handles&) {
         griffin_memory_plan p = {};
         p.struct_size = sizeof(p);
         return griffin_file_memory_plan(nullptr, nullptr, &p);
       }},
      {"griffin_memory_usage_get", "NULL model",
       [](Handles&) {
         griffin_memory_usage u = {};
         u.struct_size = sizeof(u);
         return griffin_memory_usage_get(nullptr, nullptr, &u);
       }},
      {"griffin_memory_usage_get", "session of another model",
       [](Handles& h) {
         griffin_memory_usage u = {};
         u.struct_size = sizeof(u);
         return griffin_memory_usage_get(h.kjv, h.hawk_session, &u);
       }},
      {"griffin_session_state_size", "NULL",
       [](Handles&) {
         size_t b;
         return griffin_session_state_size(nullptr, &b);
       }},
      {"griffin_session_save", "NULL session",
       [](Handles&) {
         char b[8];
         size_t w;
         return griffin_session_save(nullptr, b, 8, &w);
       }},
      {"griffin_session_save", "capacity too small",
       [](Handles& h) {
         char b[8];
         size_t w;
         return griffin_session_save(h.fresh, b, 8, &w);
       }},
      {"griffin_session_load", "NULL data",
       [](Handles& h) { return griffin_session_load(h.fresh, nullptr, 100); }},
      {"griffin_session_load", "snapshot of another model",
       [](Handles& h) {
         size_t bytes = 0;
         REQUIRE(griffin_session_state_size(h.hawk_session, &bytes) == GRIFFIN_OK);
         std::vector<char> snapshot(bytes);
         size_t written = 0;
         REQUIRE(griffin_session_save(h.hawk_session, snapshot.data(), bytes, &written) ==
                 GRIFFIN_OK);
         return griffin_session_load(h.fresh, snapshot.data(), written);
       }},
      {"griffin_session_save_file", "NULL path",
       [](Handles& h) { return griffin_session_save_file(h.fresh, nullptr); }},
      {"griffin_session_save_file", "directory missing",
       [](Handles& h) { return griffin_session_save_file(h.fresh, "/nonexistent/dir/state"); }},
      {"griffin_session_load_file", "missing file",
       [](Handles& h) { return griffin_session_load_file(h.fresh, "/nonexistent-state"); }},
      {"griffin_session_fork", "NULL source",
       [](Handles&) {
         griffin_session* c = nullptr;
         return griffin_session_fork(nullptr, &c);
       }},
      {"griffin_session_fork", "NULL out",
       [](Handles& h) { return griffin_session_fork(h.fresh, nullptr); }},
      {"griffin_model_chat_markers", "NULL model",
       [](Handles&) {
         const char* s;
         const char* e;
         return griffin_model_chat_markers(nullptr, &s, &e);
       }},
      {"griffin_session_generate", "NULL session",
       [](Handles&) {
         return griffin_session_generate(nullptr, "a", 1, nullptr, nullptr, nullptr, nullptr);
       }},
      {"griffin_session_generate", "model without tokenizer",
       [](Handles& h) {
         return griffin_session_generate(h.hawk_session, "a", 1, nullptr, nullptr, nullptr,
                                         nullptr);
       }},
      {"griffin_session_generate", "negative max_tokens",
       [](Handles& h) {
         griffin_generate_options o = griffin_generate_default_options();
         o.max_tokens = -1;
         return griffin_session_generate(h.fresh, "a", 1, &o, nullptr, nullptr, nullptr);
       }},
      {"griffin_session_generate", "empty stop sequence",
       [](Handles& h) {
         griffin_generate_options o = griffin_generate_default_options();
         const char* stops[] = {""};
         o.stop_sequences = stops;
         o.stop_sequence_count = 1;
         return griffin_session_generate(h.fresh, "a", 1, &o, nullptr, nullptr, nullptr);
       }},
      {"griffin_session_cancel", "NULL", [](Handles&) { return griffin_session_cancel(nullptr); },
       false},
  };
}

std::set<std::string> header_functions() {
  const std::string header =
      griffin::test::read_file(GRIFFIN_SOURCE_DIR "/runtime/include/griffin/griffin.h");
  const std::regex declaration(R"(GRIFFIN_API[^;(]*?\b(griffin_\w+)\s*\()");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(header.begin(), header.end(), declaration);
       it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

}  // namespace

TEST_CASE("C API table: every function in griffin.h has a row", "[c_api][table]") {
  const std::set<std::string> functions = header_functions();
  REQUIRE(functions.size() >= 40);  // the parse found the header's declarations
  std::set<std::string> covered(kNoStatus.begin(), kNoStatus.end());
  for (const Row& row : rows()) covered.insert(row.function);
  for (const std::string& name : functions) {
    INFO(name << " is declared in griffin.h but has no row in test_c_api_table.cpp");
    CHECK(covered.count(name) == 1);
  }
  for (const std::string& name : covered) {
    INFO(name << " has a row but is not in griffin.h");
    CHECK(functions.count(name) == 1);
  }
}

TEST_CASE("C API table: bad calls return an error with a message", "[c_api][table]") {
  Handles handles;
  for (const Row& row : rows()) {
    INFO(row.function << ": " << row.what);
    // Back to "before prefill" (a row may have fed tokens), and a known message in
    // griffin_last_error() that the row's own failure must replace.
    REQUIRE(griffin_session_reset(handles.fresh) == GRIFFIN_OK);
    griffin_model* none = nullptr;
    REQUIRE(griffin_model_open(kSentinel, nullptr, &none) != GRIFFIN_OK);
    REQUIRE(std::string(griffin_last_error()).find(kSentinel) != std::string::npos);
    const griffin_status status = row.call(handles);
    CHECK(status != GRIFFIN_OK);
    const char* message = griffin_last_error();
    REQUIRE(message != nullptr);
    if (row.message) CHECK(std::string(message).size() > 0);
    // The message is this row's, not the sentinel's left before it.
    if (row.message) CHECK(std::string(message).find(kSentinel) == std::string::npos);
  }
}

TEST_CASE("C API table: functions without a status take bad input", "[c_api][table]") {
  CHECK(std::string(griffin_version()).size() > 0);
  CHECK(std::string(griffin_status_string(static_cast<griffin_status>(-7))).size() > 0);
  CHECK(std::string(griffin_status_string(static_cast<griffin_status>(12345))).size() > 0);
  CHECK(griffin_last_error() != nullptr);
  CHECK(griffin_model_default_options().struct_size == sizeof(griffin_model_options));
  CHECK(griffin_session_default_options().struct_size == sizeof(griffin_session_options));
  CHECK(griffin_sampler_default_options().struct_size == sizeof(griffin_sampler_options));
  CHECK(griffin_generate_default_options().struct_size == sizeof(griffin_generate_options));
  griffin_model_close(nullptr);
  griffin_session_destroy(nullptr);
  CHECK(griffin_session_last_error(nullptr) != nullptr);
}
