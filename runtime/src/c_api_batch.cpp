// griffin_batch_decode (griffin.h): the C handles handed to the model's batch decoder in place.
#include "griffin/griffin.h"
#include "runtime/src/batch_decode.h"
#include "runtime/src/c_api_internal.h"

using griffin::capi::fail;
using griffin::capi::guarded;
using griffin::capi::report;

extern "C" {

griffin_status griffin_batch_decode(griffin_session* const* sessions, const int32_t* tokens,
                                    size_t count) {
  GRF_C_REQUIRE(sessions != nullptr && tokens != nullptr, nullptr,
                "griffin_batch_decode: sessions and tokens must not be NULL");
  GRF_C_REQUIRE(count > 0, nullptr, "griffin_batch_decode: count is 0");
  GRF_C_REQUIRE(sessions[0] != nullptr, nullptr, "griffin_batch_decode: session 0 is NULL");
  griffin_session* first = sessions[0];
  return guarded(first, [&] {
    griffin::BatchDecoder* decoder = first->session->model().batch_decoder();
    if (decoder == nullptr) {
      return fail(GRIFFIN_ERR_INVALID_ARGUMENT,
                  "griffin_batch_decode: the model was opened without max_batch "
                  "(griffin_model_options.max_batch = 0)",
                  first);
    }
    const griffin::BatchDecoder::SessionList list{
        sessions, [](const void* items, size_t i) -> griffin::Session* {
          griffin_session* handle = static_cast<griffin_session* const*>(items)[i];
          return handle ? handle->session.get() : nullptr;
        }};
    return report(decoder->decode(list, tokens, count), first);
  });
}

}  // extern "C"
