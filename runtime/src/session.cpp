// Session creation, state binding and the per-token entry points (see session.h).
#include "runtime/src/session.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/src/forward.h"
#include "runtime/src/parallel-for.h"

namespace griffin {

Result<SessionState> bind_session_state(const SessionLayout& layout, DType kv_dtype, Arena& arena) {
  // Every region in plan order; the arena's own bookkeeping must land where the plan said.
  std::vector<uint8_t*> regions;
  regions.reserve(layout.buffers.size());
  for (const Buffer& planned : layout.buffers) {
    uint8_t* region = arena.carve(planned.bytes, kArenaAlignment);
    GRF_CHECK(region == arena.base() + planned.offset, kInternal,
              "arena region %s: handed out at %td, planned at %zu", planned.name.c_str(),
              region ? region - arena.base() : -1, planned.offset);
    regions.push_back(region);
  }
  GRF_CHECK(arena.used() == layout.used_bytes, kInternal,
            "the arena handed out %zu bytes, the plan %zu", arena.used(), layout.used_bytes);
  auto f32 = [&](size_t index) { return reinterpret_cast<float*>(regions[index]); };
  SessionState s;
  for (const LayerLayout& l : layout.layers) {
    LayerState layer;
    if (l.conv_state != kNoBuffer) layer.conv_state = f32(l.conv_state);
    if (l.rglru_state != kNoBuffer) layer.rglru_state = f32(l.rglru_state);
    if (l.k_cache != kNoBuffer) layer.k_cache = regions[l.k_cache];
    if (l.v_cache != kNoBuffer) layer.v_cache = regions[l.v_cache];
    layer.cache_slots = l.cache_slots;
    s.layers.push_back(layer);
  }
  s.rows.x = f32(layout.x);
  s.rows.normed = f32(layout.normed);
  s.rows.mix = f32(layout.mix);
  s.rows.wide_a = f32(layout.wide_a);
  s.rows.wide_b = f32(layout.wide_b);
  s.rows.wide_c = f32(layout.wide_c);
  s.rows.gate_r = f32(layout.gate_r);
  s.rows.gate_i = f32(layout.gate_i);
  s.rows.chunk_k = f32(layout.chunk_k);
  s.rows.chunk_v = f32(layout.chunk_v);
  s.kv_row = f32(layout.kv_row);
  s.positions = reinterpret_cast<int64_t*>(regions[layout.positions]);
  s.logits = f32(layout.logits);
  s.sampler_values = f32(layout.sampler_values);
  s.sampler_indices = reinterpret_cast<int32_t*>(regions[layout.sampler_indices]);
  s.history = reinterpret_cast<int32_t*>(regions[layout.history]);
  s.counters = new (regions[layout.counters]) SessionCounters();
  s.chunk = layout.chunk;
  s.kv_dtype = kv_dtype;
  if (layout.quantized != kNoBuffer) {
    s.rows.linear.quantized = reinterpret_cast<int8_t*>(regions[layout.quantized]);
    s.rows.linear.quantized_scales = f32(layout.quantized_scales);
    s.rows.linear.quantized_offsets = reinterpret_cast<int32_t*>(regions[layout.quantized_offsets]);
  }
  return s;
}

Session::Session(const Model& model, const SessionOptions& options, SessionLayout layout,
                 Arena arena, SessionState state, bool owns_arena)
    : model_(model),
      options_(options),
      layout_(std::move(layout)),
      arena_(std::move(arena)),
      owns_arena_(owns_arena),
      state_(std::move(state)) {
  state_.rows.linear.pool = model.threadpool();
  state_.rows.linear.kernels = &model.kernels();
  reset();
}

Session::~Session() {
  if (owns_arena_) std::free(arena_.base());
}

Result<std::unique_ptr<Session>> Session::create(const Model& model, const SessionOptions& options,
                                                 void* buffer, size_t buffer_size,
                                                 uint64_t max_memory_bytes) {
  GRF_RETURN_IF_ERROR(validate_session_options(options));
  SessionLayout layout = plan_session(model.config(), options, model.plan().quantized_columns);
  GRF_CHECK(max_memory_bytes == 0 || layout.total_bytes <= max_memory_bytes, kOutOfMemory,
            "the session needs %zu bytes, more than the allowed max_memory_bytes %llu",
            layout.total_bytes, (unsigned long long)max_memory_bytes);
  uint8_t* base = static_cast<uint8_t*>(buffer);
  if (buffer != nullptr) {
    GRF_CHECK(buffer_size >= layout.total_bytes, kOutOfMemory,
              "session buffer of %zu bytes is too small: the plan needs %zu bytes", buffer_size,
              layout.total_bytes);
    GRF_CHECK(reinterpret_cast<uintptr_t>(buffer) % kArenaAlignment == 0, kInvalidArgument,
              "session buffer must be %zu-byte aligned", kArenaAlignment);
  } else {
    base = static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, layout.total_bytes));
    GRF_CHECK(base != nullptr, kOutOfMemory, "cannot allocate the %zu-byte session arena",
              layout.total_bytes);
  }
  Arena arena(base, layout.total_bytes);
  Result<SessionState> state = bind_session_state(layout, options.kv_dtype, arena);
  if (!state.ok()) {
    if (buffer == nullptr) std::free(base);
    return state.status();
  }
  return std::unique_ptr<Session>(new Session(model, options, std::move(layout), std::move(arena),
                                              std::move(state).value(), buffer == nullptr));
}

void Session::reset() {
  // Zeroed state is the start of a sequence (docs/griffin-math.md §9: conv and RG-LRU state 0).
  std::memset(arena_.base(), 0, layout_.total_bytes);
  state_.counters = new (state_.counters) SessionCounters();
  state_.counters->rng.reseed(options_.seed);
}

Status Session::check_tokens(const int32_t* tokens, size_t count) const {
  const int64_t vocab = model_.config().vocab_size;
  for (size_t i = 0; i < count; ++i) {
    GRF_CHECK(tokens[i] >= 0 && tokens[i] < vocab, kInvalidArgument,
              "token id %d at index %zu is outside the vocabulary [0, %lld)", tokens[i], i,
              (long long)vocab);
  }
  if (model_.config().count_layers(BlockType::kGlobalAttention) > 0) {
    GRF_CHECK(position() + static_cast<int64_t>(count) <= options_.max_context, kOutOfRange,
              "%zu more tokens at position %lld would pass max_context %lld of this "
              "global-attention model",
              count, (long long)position(), (long long)options_.max_context);
  }
  return Status::ok_status();
}

void Session::remember(const int32_t* tokens, size_t count) {
  const size_t capacity = static_cast<size_t>(options_.history_size);
  int32_t* history = state_.history;
  int64_t& history_count = state_.counters->history_count;
  if (count >= capacity) {
    std::memcpy(history, tokens + count - capacity, capacity * sizeof(int32_t));
    history_count = static_cast<int64_t>(capacity);
    return;
  }
  const size_t held = static_cast<size_t>(history_count);
  const size_t drop = held + count > capacity ? held + count - capacity : 0;
  std::memmove(history, history + drop, (held - drop) * sizeof(int32_t));
  std::memcpy(history + held - drop, tokens, count * sizeof(int32_t));
  history_count = static_cast<int64_t>(held - drop + count);
}

Status Session::prefill(const int32_t* tokens, size_t count, float* all_logits, size_t capacity,
                        const std::atomic<bool>* cancel, size_t* fed) {
  const WorkersSleepAfter sleep_after = model_.rest_workers_after_step();
  if (fed) *fed = 0;
  GRF_CHECK(count > 0, kInvalidArgument, "prefill needs at least one token");
  const size_t vocab = static_cast<size_t>(model_.config().vocab_size);
  GRF_CHECK(all_logits == nullptr || capacity / vocab >= count, kOutOfRange,
            "all_logits holds %zu floats; %zu tokens x %zu vocab need %zu", capacity, count, vocab,
            count * vocab);
  GRF_RETURN_IF_ERROR(check_tokens(tokens, count));
  const size_t chunk = static_cast<size_t>(state_.chunk);
  size_t done = 0;
  size_t last_chunk = 0;  // tokens of the last chunk run without its logits (0: none)
  while (done < count && !(cancel && cancel->load(std::memory_order_relaxed))) {
    const size_t n = count - done < chunk ? count - done : chunk;
    const bool last = done + n == count;
    GRF_RETURN_IF_ERROR(forward_chunk(model_, state_, tokens + done, n,
                                      all_logits ? all_logits + done * vocab : nullptr, last));
    last_chunk = all_logits || last ? 0 : n;
    done += n;
    // The fed tokens count at once, so a failure in a later chunk still leaves the history
    // and the position in step.
    remember(tokens + done - n, n);
    if (fed) *fed = done;
  }
  // Cancelled after a chunk that skipped its logits: its rows are still in the scratch.
  if (last_chunk > 0) GRF_RETURN_IF_ERROR(chunk_row_logits(model_, state_, last_chunk - 1));
  return Status::ok_status();
}

Status Session::decode(int32_t token) {
  GRF_RETURN_IF_ERROR(check_tokens(&token, 1));
  const WorkersSleepAfter sleep_after = model_.rest_workers_after_step();
  state_.rows.linear.decode = true;
  const Status status = forward_chunk(model_, state_, &token, 1, nullptr);
  state_.rows.linear.decode = false;
  GRF_RETURN_IF_ERROR(status);
  remember(&token, 1);
  return Status::ok_status();
}

Status Session::sample(const SamplerParams& params, int64_t repetition_window, int32_t* token) {
  GRF_CHECK(has_logits(), kInvalidArgument, "no logits yet: prefill or decode a token first");
  GRF_RETURN_IF_ERROR(validate_sampler_params(params));
  GRF_CHECK(repetition_window >= 0, kInvalidArgument, "repetition_window %lld must be >= 0",
            (long long)repetition_window);
  const size_t vocab = static_cast<size_t>(model_.config().vocab_size);
  SamplerWorkspace workspace{state_.sampler_values, state_.sampler_indices, vocab};
  SessionCounters& counters = *state_.counters;
  const int64_t recent = repetition_window == 0 || repetition_window > counters.history_count
                             ? counters.history_count
                             : repetition_window;
  *token =
      sample_token(state_.logits, vocab, params, state_.history + (counters.history_count - recent),
                   static_cast<size_t>(recent), counters.rng, workspace);
  return Status::ok_status();
}

Status Session::token_text(int32_t token, char* text, size_t capacity, size_t* length) {
  const Tokenizer* tokenizer = model_.tokenizer();
  GRF_CHECK(tokenizer != nullptr, kUnsupported, "this model has no tokenizer (token ids only)");
  // Ids past the tokenizer's pieces (a vocabulary padded beyond them) have no text.
  GRF_CHECK(token >= 0 && token < model_.config().vocab_size, kInvalidArgument,
            "token id %d is outside the vocabulary [0, %lld)", token,
            (long long)model_.config().vocab_size);
  GRF_CHECK(capacity > 0, kOutOfRange, "token text buffer has no room for the terminating NUL");
  std::string_view bytes = tokenizer->token_bytes(token);
  SessionCounters& counters = *state_.counters;
  const bool strip_space = counters.at_text_start && !bytes.empty() && bytes.front() == ' ';
  if (strip_space) bytes.remove_prefix(1);
  // Keep one byte for the terminating NUL.
  const size_t room = capacity > 0 ? capacity - 1 : 0;
  *length = counters.utf8.push(bytes, text, room);
  GRF_CHECK(*length <= room, kOutOfRange, "token text needs %zu bytes, the buffer has %zu",
            *length + 1, capacity);
  text[*length] = '\0';
  if (!bytes.empty() || strip_space) counters.at_text_start = false;
  return Status::ok_status();
}

Status Session::flush_text(char* text, size_t capacity, size_t* length) {
  GRF_CHECK(capacity > 0, kOutOfRange, "flush buffer has no room for the terminating NUL");
  *length = state_.counters->utf8.flush(text, capacity - 1);
  GRF_CHECK(*length < capacity, kOutOfRange, "flushed text needs %zu bytes, the buffer has %zu",
            *length + 1, capacity);
  text[*length] = '\0';
  return Status::ok_status();
}

}  // namespace griffin
