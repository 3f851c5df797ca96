// The C API's generation loop (griffin.h "Generation"): options and result structs that honour
// struct_size, the cancel flag, and the call into griffin::generate (generate.h).
#include <cstring>
#include <string_view>

#include "griffin/griffin.h"
#include "runtime/src/c_api_internal.h"
#include "runtime/src/generate.h"

using griffin::capi::guarded;
using griffin::capi::output_size_ok;
using griffin::capi::read_options;
using griffin::capi::report;
using griffin::capi::write_output;

namespace {

griffin_stop_reason to_c(griffin::StopReason reason) {
  switch (reason) {
    case griffin::StopReason::kLength:
      return GRIFFIN_STOP_LENGTH;
    case griffin::StopReason::kEndOfSequence:
      return GRIFFIN_STOP_END_OF_SEQUENCE;
    case griffin::StopReason::kSequence:
      return GRIFFIN_STOP_SEQUENCE;
    case griffin::StopReason::kCallback:
      return GRIFFIN_STOP_CALLBACK;
    case griffin::StopReason::kCancelled:
      return GRIFFIN_STOP_CANCELLED;
  }
  return GRIFFIN_STOP_LENGTH;
}

// griffin_generate_options (already size-checked) -> GenerateParams. The nested sampler
// options honour their own struct_size.
griffin::Status to_params(const griffin_generate_options& opts, griffin::GenerateParams* out) {
  GRF_CHECK(opts.max_tokens >= 0, kInvalidArgument, "max_tokens %d must be >= 0 (0 = 256)",
            opts.max_tokens);
  griffin_sampler_options sampler = griffin_sampler_default_options();
  GRF_CHECK(read_options(&opts.sampler, &sampler), kInvalidArgument,
            "options->sampler.struct_size is not a griffin_sampler_options size");
  out->max_tokens = opts.max_tokens == 0 ? 256 : opts.max_tokens;
  out->sampler = griffin::capi::sampler_params_from(sampler);
  out->repetition_window = sampler.repetition_window;
  out->stop_sequences = opts.stop_sequences;
  out->stop_sequence_count = opts.stop_sequence_count;
  out->reseed = opts.reseed;
  out->seed = opts.seed;
  return griffin::validate_generate_params(*out);
}

}  // namespace

extern "C" {

griffin_generate_options griffin_generate_default_options(void) {
  griffin_generate_options options;
  std::memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  options.sampler = griffin_sampler_default_options();
  return options;
}

griffin_status griffin_session_generate(griffin_session* session, const char* prompt,
                                        size_t prompt_len, const griffin_generate_options* options,
                                        griffin_piece_callback callback, void* user,
                                        griffin_generate_result* result) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_generate: session is NULL");
  return guarded(session, [&] {
    GRF_C_REQUIRE(prompt != nullptr || prompt_len == 0, session,
                  "griffin_session_generate: prompt is NULL but prompt_len is not 0");
    GRF_C_REQUIRE(result == nullptr || output_size_ok(result), session,
                  "griffin_session_generate: result->struct_size is not set");
    griffin_generate_options opts = griffin_generate_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), session,
                  "griffin_session_generate: options->struct_size is not a "
                  "griffin_generate_options size");
    griffin::GenerateParams params;
    const griffin::Status converted = to_params(opts, &params);
    if (!converted.ok()) return report(converted.with_context("griffin_session_generate"), session);
    // A cancel from before this call belongs to an earlier generation.
    session->cancel.store(false, std::memory_order_relaxed);
    griffin::GenerateStats stats;
    const griffin::Status status =
        griffin::generate(*session->session, std::string_view(prompt ? prompt : "", prompt_len),
                          params, session->cancel, callback, user, &stats);
    if (result != nullptr) {
      griffin_generate_result full;
      std::memset(&full, 0, sizeof full);
      full.struct_size = sizeof full;
      full.stop_reason = to_c(stats.stop_reason);
      full.prompt_tokens = stats.prompt_tokens;
      full.generated_tokens = stats.generated_tokens;
      full.prefill_seconds = stats.prefill_seconds;
      full.decode_seconds = stats.decode_seconds;
      write_output(full, result);
    }
    return report(status, session);
  });
}

griffin_status griffin_session_cancel(griffin_session* session) {
  // Only a lock-free atomic store: safe from another thread and from a signal handler.
  if (session == nullptr) return GRIFFIN_ERR_INVALID_ARGUMENT;
  session->cancel.store(true, std::memory_order_relaxed);
  return GRIFFIN_OK;
}

}  // extern "C"
