// What the C API's source files share: the handle structs behind griffin.h's opaque types and
// the helpers that turn a Status or an exception into a griffin_status with a message.
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "griffin/griffin.h"
#include "runtime/src/model.h"
#include "runtime/src/session.h"

struct griffin_model {
  std::unique_ptr<griffin::Model> model;
  std::string kernels;  // description, made once at open
};

struct griffin_session {
  std::unique_ptr<griffin::Session> session;
  std::string last_error;
  // griffin_session_cancel: set from any thread or a signal handler, so it must be lock-free.
  std::atomic<bool> cancel{false};
};
static_assert(std::atomic<bool>::is_always_lock_free,
              "griffin_session_cancel needs a lock-free flag to be async-signal-safe");

namespace griffin::capi {

// The message of the last failure on this thread (griffin_last_error).
std::string& thread_last_error();

inline griffin_status to_c(griffin::StatusCode code) {
  using griffin::StatusCode;
  switch (code) {
    case StatusCode::kOk:
      return GRIFFIN_OK;
    case StatusCode::kInvalidArgument:
      return GRIFFIN_ERR_INVALID_ARGUMENT;
    case StatusCode::kNotFound:
      return GRIFFIN_ERR_NOT_FOUND;
    case StatusCode::kIoError:
      return GRIFFIN_ERR_IO;
    case StatusCode::kInvalidFile:
      return GRIFFIN_ERR_INVALID_MODEL;
    case StatusCode::kUnsupported:
      return GRIFFIN_ERR_UNSUPPORTED;
    case StatusCode::kOutOfMemory:
      return GRIFFIN_ERR_OUT_OF_MEMORY;
    case StatusCode::kOutOfRange:
      return GRIFFIN_ERR_OUT_OF_RANGE;
    case StatusCode::kInternal:
      return GRIFFIN_ERR_INTERNAL;
  }
  return GRIFFIN_ERR_INTERNAL;
}

// Records a failure (thread-locally and on the session when there is one) and returns its code.
inline griffin_status fail(griffin_status code, const std::string& message,
                           griffin_session* session = nullptr) {
  try {
    thread_last_error() = message;
    if (session) session->last_error = message;
  } catch (...) {
  }
  return code;
}

inline griffin_status report(const griffin::Status& status, griffin_session* session = nullptr) {
  if (status.ok()) return GRIFFIN_OK;
  return fail(to_c(status.code()), status.message(), session);
}

// Runs `body`, converting exceptions (only load-time containers can throw) into statuses.
template <typename Body>
inline griffin_status guarded(griffin_session* session, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory", session);
  } catch (const std::exception& error) {
    return fail(GRIFFIN_ERR_INTERNAL, std::string("internal error: ") + error.what(), session);
  } catch (...) {
    return fail(GRIFFIN_ERR_INTERNAL, "internal error", session);
  }
}

}  // namespace griffin::capi

#define GRF_C_REQUIRE(cond, session, ...)                                                          \
  do {                                                                                             \
    if (!(cond)) return ::griffin::capi::fail(GRIFFIN_ERR_INVALID_ARGUMENT, __VA_ARGS__, session); \
  } while (0)

// Options structs grow at the end; a caller compiled against an older header passes a
// smaller struct_size, and the fields it does not know keep their defaults.
namespace griffin::capi {

template <typename Options>
inline bool read_options(const Options* given, Options* out) {
  if (given == nullptr) return true;
  if (given->struct_size < sizeof(size_t) || given->struct_size > sizeof(Options)) return false;
  std::memcpy(static_cast<void*>(out), given, given->struct_size);
  out->struct_size = sizeof(Options);
  return true;
}

// The C++ options of a griffin_model_options (read with read_options first).
inline griffin::ModelOptions model_options_from(const griffin_model_options& opts) {
  griffin::ModelOptions options;
  options.num_threads = opts.num_threads;
  options.max_memory_bytes = opts.max_memory_bytes;
  options.force_scalar_kernels = opts.force_scalar_kernels;
  options.int8_activations = opts.int8_activations;
  options.prefault = opts.prefault;
  options.lock_weights = opts.lock_weights;
  options.max_batch = opts.max_batch;
  options.sleep_between_steps = opts.sleep_between_steps;
  options.activation_scale = opts.activation_scale;
  options.repack_weights = opts.repack_weights;
  return options;
}

// The sampler settings of a griffin_sampler_options (repetition_window travels separately).
inline griffin::SamplerParams sampler_params_from(const griffin_sampler_options& opts) {
  griffin::SamplerParams params;
  params.temperature = opts.temperature;
  params.top_k = opts.top_k;
  params.top_p = opts.top_p;
  params.min_p = opts.min_p;
  params.repetition_penalty = opts.repetition_penalty;
  return params;
}

// Wraps a loaded model in its C handle.
inline griffin_status make_model_handle(griffin::Result<std::unique_ptr<griffin::Model>> loaded,
                                        griffin_model** model) {
  if (!loaded.ok()) return report(loaded.status());
  *model = new griffin_model{std::move(loaded).value(), std::string()};
  (*model)->kernels = (*model)->model->kernels().describe();
  return GRIFFIN_OK;
}

// griffin_model_open with copy_weights or huge_pages: the file read into private memory
// (c_api_open.cpp).
griffin_status open_path_copy(const char* path, const griffin_model_options& opts,
                              griffin_model** model);

// Output structs: the caller sets struct_size to the sizeof it was compiled with, and only
// that many bytes are written, so an app built against an older, smaller struct is never
// overrun. The smallest accepted size covers struct_size itself.
template <typename Output>
inline bool output_size_ok(const Output* out) {
  return out->struct_size >= sizeof(size_t);
}

// Copies the first out->struct_size bytes of `full` (at most sizeof(Output)); struct_size keeps
// the caller's value.
template <typename Output>
inline void write_output(const Output& full, Output* out) {
  const size_t size = out->struct_size < sizeof(Output) ? out->struct_size : sizeof(Output);
  const size_t caller_size = out->struct_size;
  std::memcpy(static_cast<void*>(out), &full, size);
  out->struct_size = caller_size;
}

}  // namespace griffin::capi
