// Batched decode over the model's batch arena (see batch_decode.h).
#include "runtime/src/batch_decode.h"

#include "runtime/src/forward.h"
#include "runtime/src/model.h"
#include "runtime/src/parallel-for.h"
#include "runtime/src/session.h"

namespace griffin {

Result<std::unique_ptr<BatchDecoder>> BatchDecoder::create(const Model& model) {
  const BatchLayout& layout = model.plan().batch;
  GRF_CHECK(layout.max_batch > 0, kInternal, "a batch decoder without a batch plan");
  std::unique_ptr<BatchDecoder> decoder(new BatchDecoder(model, layout));
  decoder->base_ = static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, layout.total_bytes));
  GRF_CHECK(decoder->base_ != nullptr, kOutOfMemory, "cannot allocate the %zu-byte batch arena",
            layout.total_bytes);
  decoder->arena_ = Arena(decoder->base_, layout.total_bytes);
  std::vector<float*> regions;
  for (const Buffer& planned : layout.buffers) {
    uint8_t* region = decoder->arena_.carve(planned.bytes, kArenaAlignment);
    GRF_CHECK(region == decoder->base_ + planned.offset, kInternal,
              "batch arena region %s: handed out at %td, planned at %zu", planned.name.c_str(),
              region ? region - decoder->base_ : -1, planned.offset);
    regions.push_back(reinterpret_cast<float*>(region));
  }
  RowScratch& r = decoder->rows_;
  r.x = regions[layout.x];
  r.normed = regions[layout.normed];
  r.mix = regions[layout.mix];
  r.wide_a = regions[layout.wide_a];
  r.wide_b = regions[layout.wide_b];
  r.wide_c = regions[layout.wide_c];
  r.gate_r = regions[layout.gate_r];
  r.gate_i = regions[layout.gate_i];
  r.chunk_k = regions[layout.chunk_k];
  r.chunk_v = regions[layout.chunk_v];
  r.logits = regions[layout.logits];
  if (layout.quantized != kNoBuffer) {
    r.linear.quantized = reinterpret_cast<int8_t*>(regions[layout.quantized]);
    r.linear.quantized_scales = regions[layout.quantized_scales];
    r.linear.quantized_offsets = reinterpret_cast<int32_t*>(regions[layout.quantized_offsets]);
  }
  r.linear.pool = model.threadpool();
  r.linear.kernels = &model.kernels();
  r.linear.decode = true;  // a small batch runs each session as Session::decode would
  decoder->states_.reserve(static_cast<size_t>(layout.max_batch));
  return decoder;
}

BatchDecoder::~BatchDecoder() {
  std::free(base_);
}

Status BatchDecoder::check(const SessionList& sessions, const int32_t* tokens, size_t count) const {
  GRF_CHECK(count >= 1 && count <= static_cast<size_t>(layout_.max_batch), kInvalidArgument,
            "a batch of %zu sessions: this model was opened for 1 to %lld (max_batch)", count,
            (long long)layout_.max_batch);
  for (size_t i = 0; i < count; ++i) {
    const Session* session = sessions.at(sessions.items, i);
    GRF_CHECK(session != nullptr, kInvalidArgument, "session %zu of the batch is NULL", i);
    GRF_CHECK(&session->model() == &model_, kInvalidArgument,
              "session %zu of the batch belongs to another model", i);
    for (size_t j = 0; j < i; ++j) {
      GRF_CHECK(sessions.at(sessions.items, j) != session, kInvalidArgument,
                "sessions %zu and %zu of the batch are the same session", j, i);
    }
    Status status = session->check_tokens(tokens + i, 1);
    if (!status.ok()) return status.with_context("batch entry " + std::to_string(i));
  }
  return Status::ok_status();
}

Status BatchDecoder::decode(const SessionList& sessions, const int32_t* tokens, size_t count) {
  GRF_RETURN_IF_ERROR(check(sessions, tokens, count));
  std::lock_guard<std::mutex> lock(lock_);
  const WorkersSleepAfter sleep_after = model_.rest_workers_after_step();
  states_.clear();  // capacity max_batch: no allocation
  for (size_t i = 0; i < count; ++i) states_.push_back(&sessions.at(sessions.items, i)->state_);
  GRF_RETURN_IF_ERROR(forward_batch(model_, rows_, Sequences{states_.data(), count, 1}, tokens));
  for (size_t i = 0; i < count; ++i) sessions.at(sessions.items, i)->remember(tokens + i, 1);
  return Status::ok_status();
}

Status BatchDecoder::decode(Session* const* sessions, const int32_t* tokens, size_t count) {
  const SessionList list{
      sessions, [](const void* items, size_t i) { return static_cast<Session* const*>(items)[i]; }};
  return decode(list, tokens, count);
}

}  // namespace griffin
