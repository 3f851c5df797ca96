// griffin_session_generate against the low-level API (prefill, sample, decode, token_text) as
// the independent expectation: the same tokens and text; stop sequences cut where
// std::string::find says, also across token boundaries; callback stop; BOS only on a fresh
// session; cancel from another thread during prefill and during decode, after which the
// session continues; EOS and end-of-turn stops; complete UTF-8 pieces on a byte-fallback
// tokenizer; struct_size honoured. The bundled KJV model and synthetic tiny models.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "converter/convert.h"
#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

const std::string kModelPath =
    std::string(GRIFFIN_TEST_DATA_DIR) + "/../../examples/models/kjv-griffin/kjv-griffin.griffin";

struct ModelHandle {
  griffin_model* model = nullptr;
  explicit ModelHandle(const std::string& path) {
    griffin_model_options options = griffin_model_default_options();
    options.num_threads = 1;
    REQUIRE(griffin_model_open(path.c_str(), &options, &model) == GRIFFIN_OK);
  }
  ~ModelHandle() { griffin_model_close(model); }
};

struct SessionHandle {
  griffin_session* session = nullptr;
  SessionHandle(griffin_model* model, uint64_t seed = 0, int32_t chunk = 0) {
    griffin_session_options options = griffin_session_default_options();
    options.seed = seed;
    options.prefill_chunk = chunk;
    REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  }
  ~SessionHandle() { griffin_session_destroy(session); }
  size_t position() const {
    size_t p = 0;
    REQUIRE(griffin_session_position(session, &p) == GRIFFIN_OK);
    return p;
  }
  std::vector<float> logits() const {
    const float* values = nullptr;
    size_t vocab = 0;
    REQUIRE(griffin_session_logits(session, &values, &vocab) == GRIFFIN_OK);
    return std::vector<float>(values, values + vocab);
  }
};

std::vector<int32_t> tokenize(griffin_model* model, const std::string& text, bool bos) {
  std::vector<int32_t> tokens(text.size() + 2);
  size_t count = 0;
  REQUIRE(griffin_tokenize(model, text.data(), text.size(), bos, tokens.data(), tokens.size(),
                           &count) == GRIFFIN_OK);
  tokens.resize(count);
  return tokens;
}

// What the callback saw.
struct Collected {
  std::vector<std::string> pieces;
  std::vector<int32_t> tokens;
  std::string text;
  int stop_at_call = -1;                // return non-zero on this call (0-based)
  std::atomic<bool>* signal = nullptr;  // set on call signal_at_call, then wait for *ack
  std::atomic<bool>* ack = nullptr;
  int signal_at_call = -1;
};

int collect(const char* piece, size_t length, int32_t token, void* user) {
  Collected& c = *static_cast<Collected*>(user);
  const int call = static_cast<int>(c.pieces.size());
  c.pieces.emplace_back(piece, length);
  c.tokens.push_back(token);
  c.text.append(piece, length);
  if (call == c.signal_at_call) {
    c.signal->store(true);
    while (!c.ack->load()) std::this_thread::yield();
  }
  return call == c.stop_at_call ? 1 : 0;
}

griffin_generate_result run(griffin_session* session, const std::string& prompt,
                            griffin_generate_options options, Collected* collected) {
  griffin_generate_result result;
  std::memset(&result, 0, sizeof result);
  result.struct_size = sizeof result;
  const griffin_status status = griffin_session_generate(session, prompt.data(), prompt.size(),
                                                         &options, collect, collected, &result);
  INFO(griffin_session_last_error(session));
  REQUIRE(status == GRIFFIN_OK);
  return result;
}

griffin_generate_options max_tokens(int32_t n) {
  griffin_generate_options options = griffin_generate_default_options();
  options.max_tokens = n;
  return options;
}

// The low-level loop generate must equal: sample, feed, stream the text; every token fed.
struct Reference {
  std::vector<int32_t> tokens;
  std::vector<std::string> pieces;  // per token, as token_text streams it
  std::string text;
};

Reference low_level(griffin_session* session, const std::vector<int32_t>& prompt, int n,
                    const griffin_sampler_options& sampler, int32_t stop_a = -1,
                    int32_t stop_b = -1) {
  char text[512];
  size_t length = 0;
  if (!prompt.empty()) {
    REQUIRE(griffin_session_prefill(session, prompt.data(), prompt.size(), nullptr, 0) ==
            GRIFFIN_OK);
    for (int32_t token : prompt) {  // prime the detokenizer, as generate does
      REQUIRE(griffin_session_token_text(session, token, text, sizeof text, &length) == GRIFFIN_OK);
    }
  }
  Reference r;
  for (int i = 0; i < n; ++i) {
    int32_t token = 0;
    REQUIRE(griffin_session_sample(session, &sampler, &token) == GRIFFIN_OK);
    REQUIRE(griffin_session_decode(session, token, nullptr) == GRIFFIN_OK);
    r.tokens.push_back(token);
    if (token == stop_a || token == stop_b) break;
    REQUIRE(griffin_session_token_text(session, token, text, sizeof text, &length) == GRIFFIN_OK);
    r.pieces.emplace_back(text, length);
    r.text += r.pieces.back();
  }
  return r;
}

const char* const kPrompt = "In the beginning";

}  // namespace

TEST_CASE("generate equals the low-level greedy loop", "[api][generate]") {
  ModelHandle m(kModelPath);
  SessionHandle reference_session(m.model);
  const std::vector<int32_t> prompt = tokenize(m.model, kPrompt, true);
  const Reference ref =
      low_level(reference_session.session, prompt, 40, griffin_sampler_default_options());
  REQUIRE(ref.tokens.size() == 40);  // the KJV model does not stop this early

  SessionHandle s(m.model);
  Collected c;
  const griffin_generate_result r = run(s.session, kPrompt, max_tokens(40), &c);
  CHECK(r.stop_reason == GRIFFIN_STOP_LENGTH);
  CHECK(r.prompt_tokens == static_cast<int32_t>(prompt.size()));
  CHECK(r.generated_tokens == 40);
  CHECK(r.prefill_seconds >= 0.0);
  CHECK(r.decode_seconds > 0.0);
  CHECK(c.tokens == ref.tokens);  // one call per token, no flush piece (ASCII text)
  CHECK(c.pieces == ref.pieces);
  // The reply continues the prompt (its leading space stays): SentencePiece decodes the whole
  // sequence to the prompt followed by the streamed text.
  std::vector<int32_t> all = prompt;
  all.insert(all.end(), ref.tokens.begin(), ref.tokens.end());
  std::string decoded(4096, '\0');
  size_t decoded_length = 0;
  REQUIRE(griffin_detokenize(m.model, all.data(), all.size(), &decoded[0], decoded.size(),
                             &decoded_length) == GRIFFIN_OK);
  CHECK(decoded.substr(0, decoded_length) == kPrompt + c.text);
  // Every token was fed: same position and the same logits as the low-level session.
  CHECK(s.position() == prompt.size() + 40);
  CHECK(s.logits() == reference_session.logits());
}

TEST_CASE("stop sequences are cut where they first appear, across token boundaries",
          "[api][generate]") {
  ModelHandle m(kModelPath);
  const std::vector<int32_t> prompt = tokenize(m.model, kPrompt, true);
  SessionHandle reference_session(m.model);
  const Reference ref =
      low_level(reference_session.session, prompt, 60, griffin_sampler_default_options());
  // A stop string made of the end of one piece and the start of the next.
  size_t boundary = 0;
  for (size_t i = 4; i + 1 < ref.pieces.size(); ++i) {
    if (ref.pieces[i].size() >= 2 && ref.pieces[i + 1].size() >= 2) {
      boundary = i;
      break;
    }
  }
  REQUIRE(boundary > 0);
  const std::string& left = ref.pieces[boundary];
  const std::string stop = left.substr(left.size() - 2) + ref.pieces[boundary + 1].substr(0, 2);
  const size_t at = ref.text.find(stop);
  REQUIRE(at != std::string::npos);
  // The token whose text completes the first occurrence.
  size_t completing = 0;
  for (size_t length = 0; completing < ref.pieces.size(); ++completing) {
    length += ref.pieces[completing].size();
    if (length >= at + stop.size()) break;
  }
  INFO("stop \"" << stop << "\" at byte " << at << " of \"" << ref.text << "\"");

  const char* never = "this never appears";
  const char* stops[] = {never, stop.c_str()};
  griffin_generate_options options = max_tokens(60);
  options.stop_sequences = stops;
  options.stop_sequence_count = 2;
  SessionHandle s(m.model);
  Collected c;
  const griffin_generate_result r = run(s.session, kPrompt, options, &c);
  CHECK(r.stop_reason == GRIFFIN_STOP_SEQUENCE);
  CHECK(c.text == ref.text.substr(0, at));
  CHECK(r.generated_tokens == static_cast<int32_t>(completing + 1));
  CHECK(s.position() == prompt.size() + completing + 1);

  SECTION("a stop sequence that starts at the end but never completes comes out at the end") {
    SessionHandle again(m.model);
    const std::string tail = ref.text.substr(ref.text.size() - 3) + "QQ";
    const char* held[] = {tail.c_str()};
    options.stop_sequences = held;
    options.stop_sequence_count = 1;
    Collected all;
    const griffin_generate_result full = run(again.session, kPrompt, options, &all);
    CHECK(full.stop_reason == GRIFFIN_STOP_LENGTH);
    CHECK(all.text == ref.text);
    // The held bytes arrive as the last piece, from no token.
    CHECK(all.tokens.back() == -1);
    CHECK(all.pieces.back() == ref.text.substr(ref.text.size() - 3));
  }
  SECTION("bad stop sequences are refused before anything is fed") {
    SessionHandle fresh(m.model);
    const char* empty[] = {""};
    options.stop_sequences = empty;
    options.stop_sequence_count = 1;
    CHECK(griffin_session_generate(fresh.session, kPrompt, std::strlen(kPrompt), &options, nullptr,
                                   nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK_THAT(griffin_session_last_error(fresh.session), Catch::Contains("stop sequence 0"));
    options.stop_sequences = nullptr;
    CHECK(griffin_session_generate(fresh.session, kPrompt, std::strlen(kPrompt), &options, nullptr,
                                   nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(fresh.position() == 0);
  }
}

TEST_CASE("the callback stops generation", "[api][generate]") {
  ModelHandle m(kModelPath);
  SessionHandle reference_session(m.model);
  const std::vector<int32_t> prompt = tokenize(m.model, kPrompt, true);
  const Reference ref =
      low_level(reference_session.session, prompt, 5, griffin_sampler_default_options());
  SessionHandle s(m.model);
  Collected c;
  c.stop_at_call = 4;
  const griffin_generate_result r = run(s.session, kPrompt, max_tokens(50), &c);
  CHECK(r.stop_reason == GRIFFIN_STOP_CALLBACK);
  CHECK(r.generated_tokens == 5);
  CHECK(c.pieces.size() == 5);  // not called again, not even for a flush
  CHECK(c.text == ref.text);
  CHECK(s.position() == prompt.size() + 5);
}

TEST_CASE("BOS goes only before the first prompt of a session", "[api][generate]") {
  ModelHandle m(kModelPath);
  const std::string second = " And God said";
  SessionHandle s(m.model);
  Collected c1, c2, c3;
  const griffin_generate_result r1 = run(s.session, kPrompt, max_tokens(6), &c1);
  const griffin_generate_result r2 = run(s.session, second, max_tokens(6), &c2);
  const griffin_generate_result r3 = run(s.session, "", max_tokens(3), &c3);
  const std::vector<int32_t> first_tokens = tokenize(m.model, kPrompt, true);
  const std::vector<int32_t> second_tokens = tokenize(m.model, second, false);
  CHECK(r1.prompt_tokens == static_cast<int32_t>(first_tokens.size()));
  CHECK(r2.prompt_tokens == static_cast<int32_t>(second_tokens.size()));
  CHECK(r3.prompt_tokens == 0);
  CHECK(s.position() == first_tokens.size() + 6 + second_tokens.size() + 6 + 3);

  // The same conversation through the low-level API, with BOS once.
  SessionHandle ref(m.model);
  const griffin_sampler_options greedy = griffin_sampler_default_options();
  const Reference a = low_level(ref.session, first_tokens, 6, greedy);
  const Reference b = low_level(ref.session, second_tokens, 6, greedy);
  const Reference d = low_level(ref.session, {}, 3, greedy);
  CHECK(c1.tokens == a.tokens);
  CHECK(c2.tokens == b.tokens);
  CHECK(c3.tokens == d.tokens);
  CHECK(s.logits() == ref.logits());

  // After a reset the session is fresh again: BOS comes back.
  REQUIRE(griffin_session_reset(s.session) == GRIFFIN_OK);
  Collected c4;
  const griffin_generate_result r4 = run(s.session, second, max_tokens(1), &c4);
  CHECK(r4.prompt_tokens == static_cast<int32_t>(second_tokens.size() + 1));
}

TEST_CASE("cancel from another thread during a long prefill keeps what was fed",
          "[api][generate][cancel]") {
  ModelHandle m(kModelPath);
  const std::string text =
      read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/kjv/revelation.txt").substr(0, 20000);
  const std::vector<int32_t> tokens = tokenize(m.model, text, true);
  const int32_t chunk = 8;
  // Cancels a generation on `session` from this thread after `delay`, asking again until it
  // returns (a cancel that arrives before generate starts is forgotten).
  auto cancelled_run = [&](griffin_session* session, std::chrono::milliseconds delay) {
    std::atomic<bool> started{false}, done{false};
    griffin_generate_result result;
    std::memset(&result, 0, sizeof result);
    result.struct_size = sizeof result;
    griffin_status status = GRIFFIN_ERR_INTERNAL;
    std::thread worker([&] {
      griffin_generate_options options = max_tokens(1000);
      started = true;
      status = griffin_session_generate(session, text.data(), text.size(), &options, nullptr,
                                        nullptr, &result);
      done = true;
    });
    while (!started) std::this_thread::yield();
    std::this_thread::sleep_for(delay);
    while (!done) {
      REQUIRE(griffin_session_cancel(session) == GRIFFIN_OK);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    worker.join();
    REQUIRE(status == GRIFFIN_OK);
    return result;
  };
  // Later and later until the cancel lands inside the prefill (not before its first chunk);
  // the longer delays are for sanitizer builds, where tokenizing the prompt alone takes ~50 ms.
  std::unique_ptr<SessionHandle> cancelled;
  griffin_generate_result r = {};
  for (int delay_ms : {2, 5, 10, 20, 40, 80, 160, 320, 640}) {
    cancelled = std::make_unique<SessionHandle>(m.model, 0, chunk);
    r = cancelled_run(cancelled->session, std::chrono::milliseconds(delay_ms));
    REQUIRE(r.stop_reason == GRIFFIN_STOP_CANCELLED);
    if (r.prompt_tokens > 0) break;
  }
  SessionHandle& s = *cancelled;
  CHECK(r.generated_tokens == 0);
  REQUIRE(r.prompt_tokens > 0);
  REQUIRE(r.prompt_tokens < static_cast<int32_t>(tokens.size()));
  CHECK(r.prompt_tokens % chunk == 0);  // stopped between chunks
  CHECK(s.position() == static_cast<size_t>(r.prompt_tokens));

  // The state is exactly that of the fed tokens...
  SessionHandle ref(m.model, 0, chunk);
  REQUIRE(griffin_session_prefill(ref.session, tokens.data(), static_cast<size_t>(r.prompt_tokens),
                                  nullptr, 0) == GRIFFIN_OK);
  CHECK(s.logits() == ref.logits());
  // ...and the session goes on: the rest of the prompt (no BOS: the session has tokens).
  Collected c;
  const griffin_generate_result more = run(s.session, " Amen.", max_tokens(3), &c);
  CHECK(more.stop_reason == GRIFFIN_STOP_LENGTH);
  CHECK(more.prompt_tokens == static_cast<int32_t>(tokenize(m.model, " Amen.", false).size()));
  CHECK(s.position() == static_cast<size_t>(r.prompt_tokens + more.prompt_tokens + 3));
}

TEST_CASE("cancel from another thread during decode, then the session continues",
          "[api][generate][cancel]") {
  ModelHandle m(kModelPath);
  const std::vector<int32_t> prompt = tokenize(m.model, kPrompt, true);
  SessionHandle reference_session(m.model);
  const Reference ref =
      low_level(reference_session.session, prompt, 8, griffin_sampler_default_options());

  SessionHandle s(m.model);
  std::atomic<bool> signal{false}, ack{false};
  std::atomic<griffin_status> cancel_status{GRIFFIN_ERR_INTERNAL};
  std::thread canceller([&] {
    while (!signal) std::this_thread::yield();
    cancel_status = griffin_session_cancel(s.session);
    ack = true;
  });
  Collected c;
  c.signal = &signal;
  c.ack = &ack;
  c.signal_at_call = 2;  // cancelled while the third token's piece is out
  const griffin_generate_result r = run(s.session, kPrompt, max_tokens(50), &c);
  canceller.join();
  CHECK(cancel_status == GRIFFIN_OK);
  CHECK(r.stop_reason == GRIFFIN_STOP_CANCELLED);
  CHECK(r.generated_tokens == 3);
  CHECK(s.position() == prompt.size() + 3);
  // Continuing with an empty prompt gives exactly the uncancelled greedy reply.
  Collected rest;
  const griffin_generate_result r2 = run(s.session, "", max_tokens(5), &rest);
  CHECK(r2.stop_reason == GRIFFIN_STOP_LENGTH);
  std::vector<int32_t> all = c.tokens;
  all.insert(all.end(), rest.tokens.begin(), rest.tokens.end());
  CHECK(all == ref.tokens);
  CHECK(c.text + rest.text == ref.text);
  CHECK(s.logits() == reference_session.logits());
}

TEST_CASE("generate stops at EOS and at the file's end-of-turn token", "[api][generate]") {
  TempDir dir;
  REQUIRE(
      write_synthetic_checkpoint(preset_config("griffin-tiny").value(), dir.file("hf"), {}).ok());
  write_file(dir.file("hf/tokenizer.model"),
             read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model"));
  REQUIRE(convert_checkpoint(dir.file("hf"), dir.file("tiny.griffin"), {}).ok());
  ModelHandle m(dir.file("tiny.griffin"));
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(m.model, &info) == GRIFFIN_OK);
  int32_t end_of_turn = -1;
  REQUIRE(griffin_token_id(m.model, "<end_of_turn>", &end_of_turn) == GRIFFIN_OK);
  CHECK(info.end_of_turn_id == end_of_turn);
  const std::vector<int32_t> prompt = tokenize(m.model, "the program", true);
  griffin_sampler_options sampler = griffin_sampler_default_options();
  sampler.temperature = 3.0f;  // flat enough that both ids come up within a few thousand steps
  const int kSteps = 4000;
  bool saw_eos = false, saw_end_of_turn = false;
  for (uint64_t seed = 1; seed <= 40 && !(saw_eos && saw_end_of_turn); ++seed) {
    // The expectation: where the low-level loop first samples either id with this seed.
    SessionHandle ref(m.model, seed);
    const Reference r = low_level(ref.session, prompt, kSteps, sampler, info.eos_id, end_of_turn);
    const int32_t last = r.tokens.back();
    if (last != info.eos_id && last != end_of_turn) continue;
    if ((last == info.eos_id && saw_eos) || (last == end_of_turn && saw_end_of_turn)) continue;
    (last == info.eos_id ? saw_eos : saw_end_of_turn) = true;
    INFO("seed " << seed << ": stop token " << last << " after " << r.tokens.size());
    SessionHandle s(m.model, seed);
    griffin_generate_options options = max_tokens(kSteps);
    options.sampler = sampler;
    Collected c;
    const griffin_generate_result result = run(s.session, "the program", options, &c);
    CHECK(result.stop_reason == GRIFFIN_STOP_END_OF_SEQUENCE);
    CHECK(result.generated_tokens == static_cast<int32_t>(r.tokens.size()));
    // The stop token is fed but has no piece.
    std::vector<int32_t> without_stop(r.tokens.begin(), r.tokens.end() - 1);
    if (!c.tokens.empty() && c.tokens.back() == -1) c.tokens.pop_back();
    CHECK(c.tokens == without_stop);
    CHECK(s.position() == prompt.size() + r.tokens.size());
    CHECK(s.logits() == ref.logits());
  }
  CHECK(saw_eos);
  CHECK(saw_end_of_turn);
}

namespace {

size_t utf8_length(unsigned char lead, unsigned char second) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F)) return 0;
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if ((lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

// An independent UTF-8 reading of raw bytes: whole well-formed characters are copied, every
// other byte (also an unfinished character at the end) becomes U+FFFD. `*characters` counts
// multi-byte characters, `*valid` says whether the input was all well-formed.
std::string replace_invalid(const std::string& raw, int* multibyte, bool* valid) {
  std::string out;
  *multibyte = 0;
  *valid = true;
  for (size_t i = 0; i < raw.size();) {
    const unsigned char lead = static_cast<unsigned char>(raw[i]);
    const unsigned char second = i + 1 < raw.size() ? static_cast<unsigned char>(raw[i + 1]) : 0x80;
    size_t n = utf8_length(lead, second);
    for (size_t k = 1; k < n; ++k) {
      if (i + k >= raw.size() || (static_cast<unsigned char>(raw[i + k]) & 0xC0) != 0x80) n = 0;
    }
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      *valid = false;
      i += 1;
    } else {
      out += raw.substr(i, n);
      if (n > 1) ++*multibyte;
      i += n;
    }
  }
  return out;
}

// The raw bytes of a token of tiny_tokenizer_bytefallback.model: ids 6..261 are the bytes
// 0x00..0xFF; other pieces' text comes from griffin_detokenize after a known ASCII token, so
// that the leading space SentencePiece drops at the start of a text is kept.
std::string raw_bytes(griffin_model* model, int32_t token, int32_t anchor) {
  if (token >= 6 && token <= 261) return std::string(1, static_cast<char>(token - 6));
  const int32_t pair[2] = {anchor, token};
  char text[256];
  size_t length = 0;
  REQUIRE(griffin_detokenize(model, &anchor, 1, text, sizeof text, &length) == GRIFFIN_OK);
  const size_t anchor_length = length;
  REQUIRE(griffin_detokenize(model, pair, 2, text, sizeof text, &length) == GRIFFIN_OK);
  return std::string(text + anchor_length, length - anchor_length);
}

}  // namespace

TEST_CASE("pieces are complete UTF-8 on a byte-fallback tokenizer", "[api][generate][utf8]") {
  TempDir dir;
  REQUIRE(
      write_synthetic_checkpoint(preset_config("griffin-tiny").value(), dir.file("hf"), {}).ok());
  write_file(dir.file("hf/tokenizer.model"),
             read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer_bytefallback.model"));
  REQUIRE(convert_checkpoint(dir.file("hf"), dir.file("tiny.griffin"), {}).ok());
  ModelHandle m(dir.file("tiny.griffin"));
  const int32_t anchor = tokenize(m.model, "the", false).at(0);
  griffin_generate_options options = max_tokens(300);
  options.sampler.temperature = 2.0f;
  int total_multibyte = 0;
  bool flushed_checked = false;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SessionHandle s(m.model, seed);
    Collected c;
    const griffin_generate_result r = run(s.session, "the program", options, &c);
    // Every piece on its own is well-formed: no character is ever split.
    std::string raw;
    for (size_t i = 0; i < c.pieces.size(); ++i) {
      int multibyte = 0;
      bool valid = false;
      replace_invalid(c.pieces[i], &multibyte, &valid);
      INFO("seed " << seed << " piece " << i);
      CHECK(valid);
      if (c.tokens[i] >= 0) raw += raw_bytes(m.model, c.tokens[i], anchor);
    }
    if (r.stop_reason != GRIFFIN_STOP_LENGTH) continue;  // EOS: its raw bytes were not seen
    int multibyte = 0;
    bool valid = false;
    CHECK(c.text == replace_invalid(raw, &multibyte, &valid));
    total_multibyte += multibyte;
    // Cut the same generation where an unfinished character is held: it is flushed as U+FFFD.
    for (size_t k = 0; k + 1 < c.tokens.size() && !flushed_checked; ++k) {
      const int32_t token = c.tokens[k];
      // A lead byte starts a new character whatever came before: after it, one byte is held.
      if (token < 6 + 0xC2 || token > 6 + 0xF4) continue;
      SessionHandle again(m.model, seed);
      griffin_generate_options cut = options;
      cut.max_tokens = static_cast<int32_t>(k + 1);
      Collected d;
      run(again.session, "the program", cut, &d);
      REQUIRE(d.tokens.size() >= 2);
      CHECK(d.tokens.back() == -1);
      CHECK(d.pieces.back() == "\xEF\xBF\xBD");
      flushed_checked = true;
    }
  }
  CHECK(total_multibyte > 0);  // the streams did contain multi-byte characters
  CHECK(flushed_checked);
}

TEST_CASE("generate honours struct_size of options and result", "[api][generate]") {
  ModelHandle m(kModelPath);
  SessionHandle s(m.model);
  // An older app's options end before the stop sequences: those keep their defaults.
  griffin_generate_options options = max_tokens(4);
  options.stop_sequence_count = 99;  // past the caller's struct: must be ignored
  options.struct_size = offsetof(griffin_generate_options, stop_sequences);
  // An older app's result ends after stop_reason: nothing after it is written.
  griffin_generate_result result;
  std::memset(&result, 0xAB, sizeof result);
  result.struct_size = offsetof(griffin_generate_result, prompt_tokens);
  REQUIRE(griffin_session_generate(s.session, kPrompt, std::strlen(kPrompt), &options, nullptr,
                                   nullptr, &result) == GRIFFIN_OK);
  CHECK(result.struct_size == offsetof(griffin_generate_result, prompt_tokens));
  CHECK(result.stop_reason == GRIFFIN_STOP_LENGTH);
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(&result);
  for (size_t i = offsetof(griffin_generate_result, prompt_tokens); i < sizeof result; ++i) {
    REQUIRE(bytes[i] == 0xAB);
  }
  options.struct_size = sizeof options + 8;
  CHECK(griffin_session_generate(s.session, kPrompt, std::strlen(kPrompt), &options, nullptr,
                                 nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  options = max_tokens(-1);
  CHECK(griffin_session_generate(s.session, kPrompt, std::strlen(kPrompt), &options, nullptr,
                                 nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  result.struct_size = 0;
  CHECK(griffin_session_generate(s.session, kPrompt, std::strlen(kPrompt), nullptr, nullptr,
                                 nullptr, &result) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_generate(nullptr, kPrompt, 1, nullptr, nullptr, nullptr, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_generate(s.session, nullptr, 3, nullptr, nullptr, nullptr, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_cancel(nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(s.position() == tokenize(m.model, kPrompt, true).size() + 4);
}

TEST_CASE("reseed restarts the sampler from the call's seed", "[api][generate]") {
  ModelHandle m(kModelPath);
  griffin_generate_options options = max_tokens(30);
  options.sampler.temperature = 1.0f;
  options.reseed = true;
  options.seed = 7;
  // Independent expectation: a session created with seed 7 samples the same way through the
  // low-level loop (the prompt does not touch the generator).
  SessionHandle reference_session(m.model, /*seed=*/7);
  const Reference ref =
      low_level(reference_session.session, tokenize(m.model, kPrompt, true), 30, options.sampler);
  // Sessions created with other seeds, one of which has already sampled.
  SessionHandle a(m.model, /*seed=*/1), b(m.model, /*seed=*/2);
  griffin_generate_options other = max_tokens(5);
  other.sampler.temperature = 1.0f;
  Collected ignored, from_a, from_b;
  run(b.session, kPrompt, other, &ignored);
  REQUIRE(griffin_session_reset(b.session) == GRIFFIN_OK);  // back to seed 2's start
  run(a.session, kPrompt, options, &from_a);
  run(b.session, kPrompt, options, &from_b);
  CHECK(from_a.tokens == ref.tokens);
  CHECK(from_b.tokens == ref.tokens);
  // Without reseed the session's own generator runs: seed 1 gives another reply.
  SessionHandle c(m.model, /*seed=*/1);
  options.reseed = false;
  Collected from_c;
  run(c.session, kPrompt, options, &from_c);
  CHECK(from_c.tokens != ref.tokens);
}
