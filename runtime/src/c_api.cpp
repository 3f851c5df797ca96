// The C API (runtime/include/griffin/griffin.h): the only place where C meets C++. Checks
// arguments, maps Status to griffin_status one to one, records messages, and turns any stray
// exception into a status so nothing throws across the boundary.
#include "griffin/griffin.h"

#include <cstring>
#include <new>
#include <string>

#include "plan/memory_plan.h"
#include "runtime/src/c_api_internal.h"
#include "runtime/src/model.h"
#include "runtime/src/session.h"

using griffin::capi::fail;
using griffin::capi::guarded;
using griffin::capi::read_options;
using griffin::capi::report;
using griffin::capi::to_c;

std::string& griffin::capi::thread_last_error() {
  thread_local std::string message;
  return message;
}

namespace {

griffin::Status to_session_options(const griffin_session_options& opts,
                                   griffin::SessionOptions* out) {
  GRF_CHECK(opts.prefill_chunk >= 0 && opts.max_context >= 0 && opts.history_size >= 0,
            kInvalidArgument, "session options: negative value");
  GRF_CHECK(opts.kv_dtype == GRIFFIN_DTYPE_F32 || opts.kv_dtype == GRIFFIN_DTYPE_F16 ||
                opts.kv_dtype == GRIFFIN_DTYPE_BF16,
            kInvalidArgument, "session options: kv_dtype %d is not F32, F16 or BF16",
            static_cast<int>(opts.kv_dtype));
  if (opts.prefill_chunk) out->prefill_chunk = opts.prefill_chunk;
  if (opts.max_context) out->max_context = opts.max_context;
  if (opts.history_size) out->history_size = opts.history_size;
  out->seed = opts.seed;
  out->kv_dtype = static_cast<griffin::DType>(opts.kv_dtype);
  return griffin::validate_session_options(*out);
}

griffin_memory_plan to_c_plan(const griffin::ModelMemoryPlan& plan) {
  using griffin::RegionKind;
  griffin_memory_plan c_plan;
  std::memset(&c_plan, 0, sizeof c_plan);
  c_plan.struct_size = sizeof c_plan;
  griffin_memory_plan* out = &c_plan;
  out->weights_mapped_bytes = plan.weights_mapped;
  out->weights_packed_bytes = plan.weights_packed;
  out->weights_prepared_bytes = plan.weights_prepared;
  out->weights_repacked_bytes = plan.weights_repacked;
  out->model_bytes = plan.model_bytes();
  out->rglru_state_bytes = layout_bytes(plan.session, RegionKind::kRglruState);
  out->conv_state_bytes = layout_bytes(plan.session, RegionKind::kConvState);
  out->kv_cache_bytes = layout_bytes(plan.session, RegionKind::kKvCache);
  out->scratch_bytes = layout_bytes(plan.session, RegionKind::kScratch);
  out->logits_bytes = layout_bytes(plan.session, RegionKind::kLogits);
  out->sampler_bytes = layout_bytes(plan.session, RegionKind::kSampler);
  out->history_bytes = layout_bytes(plan.session, RegionKind::kHistory);
  out->session_bytes = plan.session.total_bytes;
  out->total_bytes = plan.total_bytes();
  out->weights_streamed_bytes = plan.weights_streamed;
  out->counters_bytes = layout_bytes(plan.session, RegionKind::kCounters);
  out->session_used_bytes = plan.session.used_bytes;
  out->state_bytes = griffin::snapshot_bytes(plan.session);
  return c_plan;
}

// Reads a griffin_session_options (NULL = defaults) into the C++ options.
griffin::Status read_session_options(const griffin_session_options* options,
                                     griffin::SessionOptions* out) {
  griffin_session_options opts = griffin_session_default_options();
  GRF_CHECK(read_options(options, &opts), kInvalidArgument,
            "options->struct_size is not a griffin_session_options size");
  return to_session_options(opts, out);
}

}  // namespace

extern "C" {

static_assert(GRIFFIN_VERSION_MAJOR == GRIFFIN_PROJECT_VERSION_MAJOR &&
                  GRIFFIN_VERSION_MINOR == GRIFFIN_PROJECT_VERSION_MINOR &&
                  GRIFFIN_VERSION_PATCH == GRIFFIN_PROJECT_VERSION_PATCH,
              "griffin.h's GRIFFIN_VERSION_* macros must match project() in CMakeLists.txt");

const char* griffin_version(void) {
  return GRIFFIN_PROJECT_VERSION;
}

const char* griffin_status_string(griffin_status status) {
  switch (status) {
    case GRIFFIN_OK:
      return "ok";
    case GRIFFIN_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case GRIFFIN_ERR_NOT_FOUND:
      return "not found";
    case GRIFFIN_ERR_IO:
      return "I/O error";
    case GRIFFIN_ERR_INVALID_MODEL:
      return "invalid model file";
    case GRIFFIN_ERR_UNSUPPORTED:
      return "not supported";
    case GRIFFIN_ERR_OUT_OF_MEMORY:
      return "out of memory";
    case GRIFFIN_ERR_OUT_OF_RANGE:
      return "out of range";
    case GRIFFIN_ERR_INTERNAL:
      return "internal error";
  }
  return "unknown status";
}

const char* griffin_last_error(void) {
  return griffin::capi::thread_last_error().c_str();
}

griffin_model_options griffin_model_default_options(void) {
  griffin_model_options options;
  std::memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  return options;
}

griffin_status griffin_model_open(const char* path, const griffin_model_options* options,
                                  griffin_model** model) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(path != nullptr && model != nullptr, nullptr,
                  "griffin_model_open: path and model must not be NULL");
    *model = nullptr;
    griffin_model_options opts = griffin_model_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), nullptr,
                  "griffin_model_open: options->struct_size is not a griffin_model_options size");
    if (opts.copy_weights || opts.huge_pages) {
      return griffin::capi::open_path_copy(path, opts, model);
    }
    return griffin::capi::make_model_handle(
        griffin::Model::open(path, griffin::capi::model_options_from(opts)), model);
  });
}

void griffin_model_close(griffin_model* model) {
  delete model;
}

griffin_status griffin_model_get_info(const griffin_model* model, griffin_model_info* info) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && info != nullptr, nullptr,
                  "griffin_model_get_info: model and info must not be NULL");
    const griffin::ModelConfig& c = model->model->config();
    const griffin::TokenizerInfo& tok = model->model->tokenizer_info();
    GRF_C_REQUIRE(griffin::capi::output_size_ok(info), nullptr,
                  "griffin_model_get_info: set info->struct_size to sizeof(griffin_model_info)");
    griffin_model_info full;
    std::memset(&full, 0, sizeof full);
    full.struct_size = info->struct_size;
    griffin_model_info* const caller = info;
    info = &full;
    info->width = static_cast<int32_t>(c.width);
    info->depth = static_cast<int32_t>(c.depth);
    info->num_heads = static_cast<int32_t>(c.num_heads);
    info->num_kv_heads = static_cast<int32_t>(c.num_kv_heads);
    info->head_dim = static_cast<int32_t>(c.head_dim);
    info->lru_width = static_cast<int32_t>(c.lru_width);
    info->mlp_width = static_cast<int32_t>(c.mlp_width);
    info->conv1d_width = static_cast<int32_t>(c.conv1d_width);
    info->attention_window = static_cast<int32_t>(c.attention_window);
    info->vocab_size = static_cast<int32_t>(c.vocab_size);
    info->num_recurrent_layers =
        static_cast<int32_t>(c.count_layers(griffin::BlockType::kRecurrent));
    info->num_local_attention_layers =
        static_cast<int32_t>(c.count_layers(griffin::BlockType::kLocalAttention));
    info->num_global_attention_layers =
        static_cast<int32_t>(c.count_layers(griffin::BlockType::kGlobalAttention));
    info->bos_id = tok.bos_id;
    info->eos_id = tok.eos_id;
    info->pad_id = tok.pad_id;
    info->has_tokenizer = model->model->tokenizer() != nullptr;
    info->num_threads = model->model->num_threads();
    info->tokenizer_pieces =
        model->model->tokenizer() ? model->model->tokenizer()->piece_count() : 0;
    info->start_of_turn_id = -1;
    info->end_of_turn_id = -1;
    if (const griffin::Tokenizer* tokenizer = model->model->tokenizer()) {
      info->start_of_turn_id = tokenizer->piece_to_id(tok.start_of_turn);
      info->end_of_turn_id = tokenizer->piece_to_id(tok.end_of_turn);
    }
    info->weights_huge_page_bytes = model->model->file().huge_page_bytes();
    info->weights_repacked_bytes = model->model->repacked_bytes();
    griffin::capi::write_output(full, caller);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_model_kernels(const griffin_model* model, const char** description) {
  GRF_C_REQUIRE(model != nullptr && description != nullptr, nullptr,
                "griffin_model_kernels: NULL argument");
  *description = model->kernels.c_str();
  return GRIFFIN_OK;
}

griffin_status griffin_model_dtype_recipe(const griffin_model* model, const char** recipe) {
  GRF_C_REQUIRE(model != nullptr && recipe != nullptr, nullptr,
                "griffin_model_dtype_recipe: NULL argument");
  *recipe = model->model->file().header().metadata.dtype_recipe.c_str();
  return GRIFFIN_OK;
}

griffin_status griffin_model_block_type(const griffin_model* model, int32_t layer,
                                        griffin_block_type* type) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && type != nullptr, nullptr,
                  "griffin_model_block_type: model and type must not be NULL");
    const auto& types = model->model->config().block_types;
    GRF_C_REQUIRE(layer >= 0 && static_cast<size_t>(layer) < types.size(), nullptr,
                  "layer " + std::to_string(layer) + " out of range [0, " +
                      std::to_string(types.size()) + ")");
    *type = static_cast<griffin_block_type>(types[static_cast<size_t>(layer)]);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_tokenize(const griffin_model* model, const char* text, size_t text_len,
                                bool add_bos, int32_t* tokens, size_t capacity, size_t* n_tokens) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && (text != nullptr || text_len == 0) && n_tokens != nullptr &&
                      (tokens != nullptr || capacity == 0),
                  nullptr, "griffin_tokenize: NULL argument");
    const griffin::Tokenizer* tokenizer = model->model->tokenizer();
    if (tokenizer == nullptr) {
      return fail(GRIFFIN_ERR_UNSUPPORTED, "this model has no tokenizer (token ids only)");
    }
    std::vector<int32_t> ids;
    griffin::Status status =
        tokenizer->encode(std::string_view(text ? text : "", text_len), add_bos,
                          model->model->tokenizer_info().bos_id, &ids);
    if (!status.ok()) return report(status);
    *n_tokens = ids.size();
    if (ids.size() > capacity) {
      return fail(GRIFFIN_ERR_OUT_OF_RANGE, "griffin_tokenize: " + std::to_string(ids.size()) +
                                                " tokens do not fit in " +
                                                std::to_string(capacity));
    }
    std::memcpy(tokens, ids.data(), ids.size() * sizeof(int32_t));
    return GRIFFIN_OK;
  });
}

griffin_status griffin_detokenize(const griffin_model* model, const int32_t* tokens,
                                  size_t n_tokens, char* text, size_t capacity, size_t* text_len) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && (tokens != nullptr || n_tokens == 0) && text_len != nullptr &&
                      (text != nullptr || capacity == 0),
                  nullptr, "griffin_detokenize: NULL argument");
    const griffin::Tokenizer* tokenizer = model->model->tokenizer();
    if (tokenizer == nullptr) {
      return fail(GRIFFIN_ERR_UNSUPPORTED, "this model has no tokenizer (token ids only)");
    }
    // Ids the model knows but the tokenizer does not (a padded vocabulary) have no text.
    const int64_t vocab = model->model->config().vocab_size;
    std::vector<int32_t> known;
    for (size_t i = 0; i < n_tokens; ++i) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        return fail(GRIFFIN_ERR_INVALID_ARGUMENT,
                    "griffin_detokenize: token id " + std::to_string(tokens[i]) + " at index " +
                        std::to_string(i) + " is outside the vocabulary [0, " +
                        std::to_string(vocab) + ")");
      }
      if (tokens[i] < tokenizer->piece_count()) known.push_back(tokens[i]);
    }
    std::string decoded;
    griffin::Status status = tokenizer->decode(known.data(), known.size(), &decoded);
    if (!status.ok()) return report(status);
    *text_len = decoded.size();
    if (decoded.size() + 1 > capacity) {
      return fail(GRIFFIN_ERR_OUT_OF_RANGE,
                  "griffin_detokenize: " + std::to_string(decoded.size() + 1) +
                      " bytes do not fit in " + std::to_string(capacity));
    }
    std::memcpy(text, decoded.c_str(), decoded.size() + 1);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_token_id(const griffin_model* model, const char* piece, int32_t* id) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && piece != nullptr && id != nullptr, nullptr,
                  "griffin_token_id: NULL argument");
    const griffin::Tokenizer* tokenizer = model->model->tokenizer();
    if (tokenizer == nullptr) {
      return fail(GRIFFIN_ERR_UNSUPPORTED, "this model has no tokenizer (token ids only)");
    }
    *id = tokenizer->piece_to_id(piece);
    if (*id < 0) return fail(GRIFFIN_ERR_NOT_FOUND, std::string("no piece '") + piece + "'");
    return GRIFFIN_OK;
  });
}

griffin_session_options griffin_session_default_options(void) {
  griffin_session_options options;
  std::memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  return options;
}

griffin_status griffin_session_create(griffin_model* model, const griffin_session_options* options,
                                      void* buffer, size_t buffer_size, griffin_session** session) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && session != nullptr, nullptr,
                  "griffin_session_create: model and session must not be NULL");
    *session = nullptr;
    griffin_session_options opts = griffin_session_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), nullptr,
                  "griffin_session_create: options->struct_size is not a "
                  "griffin_session_options size");
    griffin::SessionOptions session_options;
    const griffin::Status converted = to_session_options(opts, &session_options);
    if (!converted.ok()) return report(converted);
    auto created = griffin::Session::create(*model->model, session_options, buffer, buffer_size,
                                            opts.max_memory_bytes);
    if (!created.ok()) return report(created.status());
    *session = new griffin_session{std::move(created).value(), std::string()};
    return GRIFFIN_OK;
  });
}

void griffin_session_destroy(griffin_session* session) {
  delete session;
}

griffin_status griffin_session_reset(griffin_session* session) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_reset: session is NULL");
  session->session->reset();
  return GRIFFIN_OK;
}

griffin_status griffin_session_position(const griffin_session* session, size_t* position) {
  GRF_C_REQUIRE(session != nullptr && position != nullptr, nullptr,
                "griffin_session_position: NULL argument");
  *position = static_cast<size_t>(session->session->position());
  return GRIFFIN_OK;
}

griffin_status griffin_session_prefill(griffin_session* session, const int32_t* tokens,
                                       size_t n_tokens, float* all_logits,
                                       size_t all_logits_capacity) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_prefill: session is NULL");
  return guarded(session, [&] {
    GRF_C_REQUIRE(tokens != nullptr, session, "griffin_session_prefill: tokens is NULL");
    return report(session->session->prefill(tokens, n_tokens, all_logits, all_logits_capacity),
                  session);
  });
}

griffin_status griffin_session_decode(griffin_session* session, int32_t token,
                                      const float** logits) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_decode: session is NULL");
  return guarded(session, [&] {
    const griffin_status status = report(session->session->decode(token), session);
    if (status == GRIFFIN_OK && logits != nullptr) *logits = session->session->logits();
    return status;
  });
}

griffin_status griffin_session_logits(const griffin_session* session, const float** logits,
                                      size_t* vocab_size) {
  GRF_C_REQUIRE(session != nullptr && logits != nullptr, nullptr,
                "griffin_session_logits: NULL argument");
  if (!session->session->has_logits()) {
    return fail(GRIFFIN_ERR_INVALID_ARGUMENT, "no logits yet: prefill or decode a token first");
  }
  *logits = session->session->logits();
  if (vocab_size) *vocab_size = static_cast<size_t>(session->session->model().config().vocab_size);
  return GRIFFIN_OK;
}

griffin_sampler_options griffin_sampler_default_options(void) {
  griffin_sampler_options options;
  std::memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  options.temperature = 0.0f;
  options.top_p = 1.0f;
  options.repetition_penalty = 1.0f;
  return options;
}

griffin_status griffin_session_sample(griffin_session* session,
                                      const griffin_sampler_options* options, int32_t* token) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_sample: session is NULL");
  return guarded(session, [&] {
    GRF_C_REQUIRE(token != nullptr, session, "griffin_session_sample: token is NULL");
    griffin_sampler_options opts = griffin_sampler_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), session,
                  "griffin_session_sample: options->struct_size is not a griffin_sampler_options "
                  "size");
    return report(session->session->sample(griffin::capi::sampler_params_from(opts),
                                           opts.repetition_window, token),
                  session);
  });
}

griffin_status griffin_session_token_text(griffin_session* session, int32_t token, char* text,
                                          size_t capacity, size_t* text_len) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_token_text: session is NULL");
  return guarded(session, [&] {
    GRF_C_REQUIRE(text != nullptr && text_len != nullptr, session,
                  "griffin_session_token_text: text and text_len must not be NULL");
    return report(session->session->token_text(token, text, capacity, text_len), session);
  });
}

griffin_status griffin_model_memory_plan(const griffin_model* model,
                                         const griffin_session_options* options,
                                         griffin_memory_plan* plan) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr && plan != nullptr, nullptr,
                  "griffin_model_memory_plan: model and plan must not be NULL");
    griffin::SessionOptions session_options;
    const griffin::Status status = read_session_options(options, &session_options);
    if (!status.ok()) return report(status);
    GRF_C_REQUIRE(
        griffin::capi::output_size_ok(plan), nullptr,
        "griffin_model_memory_plan: set plan->struct_size to sizeof(griffin_memory_plan)");
    const griffin::Model& m = *model->model;
    griffin::ModelMemoryPlan planned = griffin::plan_model_memory(
        m.config(), griffin::file_dtypes(m.file()), session_options, m.plan_options());
    planned.weights_repacked = m.repacked_bytes();
    griffin::capi::write_output(to_c_plan(planned), plan);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_file_memory_plan(const char* path, const griffin_session_options* options,
                                        griffin_memory_plan* plan) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(path != nullptr && plan != nullptr, nullptr,
                  "griffin_file_memory_plan: path and plan must not be NULL");
    GRF_C_REQUIRE(griffin::capi::output_size_ok(plan), nullptr,
                  "griffin_file_memory_plan: set plan->struct_size to sizeof(griffin_memory_plan)");
    griffin::SessionOptions session_options;
    griffin::Status status = read_session_options(options, &session_options);
    if (!status.ok()) return report(status);
    // Opening the file maps it and checks the header; no weight page is read.
    auto file = griffin::GriffinFile::open(path);
    if (!file.ok()) return report(file.status());
    const griffin::GriffinFile* opened = file.value().get();
    griffin::capi::write_output(
        to_c_plan(griffin::plan_model_memory(opened->config(), griffin::file_dtypes(*opened),
                                             session_options)),
        plan);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_memory_usage_get(const griffin_model* model, const griffin_session* session,
                                        griffin_memory_usage* usage) {
  GRF_C_REQUIRE(model != nullptr && usage != nullptr, nullptr,
                "griffin_memory_usage_get: model and usage must not be NULL");
  GRF_C_REQUIRE(griffin::capi::output_size_ok(usage), nullptr,
                "griffin_memory_usage_get: set usage->struct_size to sizeof(griffin_memory_usage)");
  // A session of another model would report bytes that belong to neither (found by the C API
  // table test).
  GRF_C_REQUIRE(session == nullptr || &session->session->model() == model->model.get(), nullptr,
                "griffin_memory_usage_get: the session belongs to another model");
  griffin_memory_usage full;
  std::memset(&full, 0, sizeof full);
  full.xnnpack_bytes = model->model->xnnpack_bytes();
  if (session != nullptr) {
    full.session_bytes = session->session->layout().total_bytes;
    full.session_used_bytes = session->session->arena().used();
  }
  griffin::capi::write_output(full, usage);
  return GRIFFIN_OK;
}

const char* griffin_session_last_error(const griffin_session* session) {
  return session ? session->last_error.c_str() : "";
}

}  // extern "C"
