// Linear maps on XNNPACK or on our kernels (see linear.h).
#include "runtime/src/linear.h"

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <vector>

#include "runtime/src/parallel-for.h"
#include "runtime/src/tapered-rows.h"
#include "runtime/src/xnn_memory.h"

namespace griffin {

Status ensure_xnnpack_initialized() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(xnn_counting_allocator()); });
  GRF_CHECK(status == xnn_status_success, kUnsupported,
            "XNNPACK failed to initialise (status %d): unsupported CPU?", static_cast<int>(status));
  return Status::ok_status();
}

Linear::Linear(Linear&& other) noexcept {
  *this = std::move(other);
}

Linear& Linear::operator=(Linear&& other) noexcept {
  if (this != &other) {
    if (op_) xnn_delete_operator(op_);
    created_ = other.created_;
    engine_ = other.engine_;
    op_ = other.op_;
    in_ = other.in_;
    out_ = other.out_;
    weights_ = other.weights_;
    scales_ = other.scales_;
    row_bytes_ = other.row_bytes_;
    bias_ = other.bias_;
    input_stride_ = other.input_stride_;
    output_stride_ = other.output_stride_;
    prepared_floats_ = other.prepared_floats_;
    packed_ = other.packed_;
    operator_lock_ = std::move(other.operator_lock_);
    other.op_ = nullptr;
    other.created_ = false;
  }
  return *this;
}

Linear::~Linear() {
  if (op_) xnn_delete_operator(op_);
}

namespace {

// The tensor as f32: the mapped data itself, or a widened copy for f16/bf16 (XNNPACK copies
// the weights into its packed buffer, so the copy lives only during operator creation).
const float* as_f32(const TensorView& view, std::vector<float>* storage) {
  if (view.record->dtype == DType::kF32) return static_cast<const float*>(view.data);
  const size_t count = static_cast<size_t>(element_count(view.record->shape));
  storage->resize(count);
  convert_elements(view.record->dtype, view.data, DType::kF32, storage->data(), count);
  return storage->data();
}

// Linear::run_together: the maps' output rows end to end, map i's from first_rows[i], cut into
// one set of tapered pieces; a piece that spans two maps runs as a kernel call on each.
struct MapsTask {
  GemmKernel kernel;
  const GemmArgs* args;
  const size_t* first_rows;  // [maps + 1]
  size_t maps;
  TaperedRows rows;
};

void run_map_pieces(void* context, size_t start, size_t count) {
  const MapsTask* task = static_cast<const MapsTask*>(context);
  for (size_t piece = start; piece < start + count; ++piece) {
    const size_t begin = task->rows.begin(piece);
    const size_t end = task->rows.end(piece);
    for (size_t i = 0; i < task->maps; ++i) {
      const size_t first = task->first_rows[i];
      const size_t last = task->first_rows[i + 1];
      if (begin >= last || end <= first) continue;
      task->kernel(task->args[i], std::max(begin, first) - first, std::min(end, last) - first);
    }
  }
}

// Activation rows (tokens) quantized per pool task. Each row is quantized on its own, so any
// split gives the same bits; a prefill chunk's rounding ran on one thread while the others
// waited (~2 % of a 2B int8-activation prefill's samples).
struct QuantizeTask {
  QuantizeKernel kernel;
  size_t k, kp;
  const float* a;
  size_t a_stride;
  int8_t* aq;
  float* scales;
  int32_t offset_bias;
  int32_t* offsets;
};

void run_quantize_tile(void* context, size_t start, size_t count) {
  const QuantizeTask* t = static_cast<const QuantizeTask*>(context);
  t->kernel(count, t->k, t->kp, t->a + start * t->a_stride, t->a_stride, t->aq + start * t->kp,
            t->scales + start * (t->kp / 32), t->offset_bias, t->offsets + start * (t->kp / 32));
}

// The bias of the weights as unsigned bytes, u = q + bias (GemmArgs::aq_group_offsets).
int32_t offset_bias(LinearEngine engine) {
  return engine == LinearEngine::kInt4Dynamic ? 8 : 128;
}

// Rows per quantize task: two per thread, and at least 8 (a row is a few microseconds).
size_t quantize_tile(pthreadpool_t pool, size_t rows) {
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  return std::max<size_t>(8, (rows + 2 * threads - 1) / (2 * threads));
}

// Linear::run_blocks: task u is map u, whole. Its [in, out] rows are read start to end, one
// stream (a tile of a map's outputs would read a slice of every row); 2B has 20 maps a layer.
struct BlocksTask {
  GemmKernel kernel;
  const GemmArgs* args;
  size_t out;
};

void run_block_maps(void* context, size_t start, size_t count) {
  const BlocksTask* task = static_cast<const BlocksTask*>(context);
  for (size_t map = start; map < start + count; ++map) task->kernel(task->args[map], 0, task->out);
}

}  // namespace

Result<Linear> Linear::make_xnnpack(const float* weight, const float* bias, size_t in, size_t out,
                                    size_t input_stride, size_t output_stride, uint32_t flags,
                                    const std::string& name) {
  GRF_RETURN_IF_ERROR(ensure_xnnpack_initialized());
  xnn_operator_t op = nullptr;
  const xnn_status status = xnn_create_fully_connected_nc_f32(
      in, out, input_stride ? input_stride : in, output_stride ? output_stride : out, weight, bias,
      -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), flags, &op);
  GRF_CHECK(status == xnn_status_success, kOutOfMemory,
            "%s: XNNPACK fully-connected operator %zux%zu failed (status %d)", name.c_str(), out,
            in, static_cast<int>(status));
  Linear linear;
  linear.created_ = true;
  linear.engine_ = LinearEngine::kXnnpack;
  linear.op_ = op;
  linear.in_ = in;
  linear.out_ = out;
  linear.operator_lock_ = std::make_unique<std::mutex>();
  return linear;
}

Result<Linear> Linear::create(const TensorView& weight, const TensorView* bias,
                              LinearEngine engine) {
  const TensorRecord& record = *weight.record;
  GRF_CHECK(record.shape.size() == 2, kInternal, "%s is not a matrix", record.name.c_str());
  const size_t out = static_cast<size_t>(record.shape[0]),
               in = static_cast<size_t>(record.shape[1]);
  if (engine == LinearEngine::kXnnpack) {
    std::vector<float> weight_storage, bias_storage;
    return make_xnnpack(as_f32(weight, &weight_storage),
                        bias ? as_f32(*bias, &bias_storage) : nullptr, in, out, 0, 0, 0,
                        record.name);
  }
  GRF_CHECK(bias == nullptr || bias->record->dtype == DType::kF32, kUnsupported,
            "%s: a bias stored as %s next to %s weights is not supported", record.name.c_str(),
            dtype_name(bias->record->dtype), dtype_name(record.dtype));
  Linear linear;
  linear.created_ = true;
  linear.engine_ = engine;
  linear.in_ = in;
  linear.out_ = out;
  linear.input_stride_ = in;
  linear.output_stride_ = out;
  linear.weights_ = static_cast<const uint8_t*>(weight.data);
  linear.bias_ = bias ? static_cast<const float*>(bias->data) : nullptr;
  if (engine == LinearEngine::kBf16) {
    linear.row_bytes_ = in * 2;
    return linear;
  }
  const QuantLayout layout = quant_layout(record.dtype, record.shape[0], record.shape[1]);
  linear.row_bytes_ = layout.row_bytes;
  linear.scales_ = linear.weights_ + layout.scales_offset;
  return linear;
}

Result<Linear> Linear::create_block(const float* weight_in_out, const float* bias, size_t in,
                                    size_t out, size_t input_stride, size_t output_stride,
                                    float* storage) {
  Linear linear;
  linear.created_ = true;
  linear.engine_ = LinearEngine::kF32;
  linear.in_ = in;
  linear.out_ = out;
  linear.input_stride_ = input_stride;
  linear.output_stride_ = output_stride;
  linear.prepared_floats_ = block_floats(in, out);
  // f32-f32w-gemm reads the weights as [in, out] rows, as stored.
  float* rows = storage;
  std::copy(weight_in_out, weight_in_out + in * out, rows);
  std::copy(bias, bias + out, rows + in * out);
  linear.weights_ = reinterpret_cast<const uint8_t*>(rows);
  linear.row_bytes_ = out * sizeof(float);
  linear.bias_ = rows + in * out;
  return linear;
}

void Linear::repack_blocks(RepackKernel repack, uint8_t* packed, size_t first, size_t count) const {
  const size_t groups = padded_in() / 32;
  const uint8_t* scales = repacked_scales();
  for (size_t block = first; block < first + count; ++block) {
    const size_t row = block * kRepackRows;
    repack(weights_ + row * row_bytes_, row_bytes_,
           scales != nullptr ? scales + row * groups * sizeof(uint16_t) : nullptr, groups,
           packed + block * repack_block_bytes());
  }
}

GemmArgs Linear::gemm_args(size_t rows, const float* x, float* y,
                           const LinearContext& context) const {
  GemmArgs args;
  args.m = rows;
  args.k = in_;
  args.kp = static_cast<size_t>(padded_columns(static_cast<int64_t>(in_)));
  args.a = x;
  args.a_stride = input_stride_;
  args.w = weights_;
  args.w_row_bytes = row_bytes_;
  args.w_scales = scales_;
  if (packed_ != nullptr) {
    args.w_packed = packed_;
    args.w_packed_rows = repack_rows();
  }
  args.bias = bias_;
  args.y = y;
  args.y_stride = output_stride_;
  // The kernel decides by its ISA, the number of tokens and the width.
  args.int16_decode = context.decode;
  args.int16_prefill = !context.decode;
  args.decode = context.decode;
  return args;
}

GemmKernel Linear::kernel_for(const LinearContext& context) const {
  switch (engine_) {
    case LinearEngine::kF32:
      return context.kernels->f32.kernel;
    case LinearEngine::kBf16:
      return context.kernels->bf16.kernel;
    case LinearEngine::kInt8:
      return context.kernels->f32_qs8.kernel;
    case LinearEngine::kInt8Dynamic:
      return context.kernels->qs8.kernel;
    case LinearEngine::kInt4Dynamic:
      return context.kernels->qs4.kernel;
    case LinearEngine::kXnnpack:
      break;
  }
  return nullptr;
}

Status Linear::run(size_t rows, const float* x, float* y, const LinearContext& context) const {
  GRF_CHECK(created_, kInternal, "linear map used before it was created");
  if (engine_ == LinearEngine::kXnnpack) {
    std::lock_guard<std::mutex> lock(*operator_lock_);
    xnn_status status = xnn_setup_fully_connected_nc_f32(op_, rows, x, y, context.pool);
    GRF_CHECK(status == xnn_status_success, kInternal, "XNNPACK setup failed (status %d)",
              static_cast<int>(status));
    status = xnn_run_operator(op_, context.pool);
    GRF_CHECK(status == xnn_status_success, kInternal, "XNNPACK run failed (status %d)",
              static_cast<int>(status));
    return Status::ok_status();
  }
  const SharedInputCall call{this, y};
  return run_together(&call, 1, rows, x, context);
}

Status Linear::quantize_input(size_t rows, const float* x, GemmArgs* args,
                              const LinearContext& context) const {
  if (!quantizes_activations(engine_)) return Status::ok_status();
  GRF_CHECK(context.quantized != nullptr && context.quantized_scales != nullptr &&
                context.quantized_offsets != nullptr,
            kInternal, "the session plan has no activation scratch for a quantizing linear");
  QuantizeTask quantize{context.kernels->quantize,
                        in_,
                        args->kp,
                        x,
                        input_stride_,
                        context.quantized,
                        context.quantized_scales,
                        offset_bias(engine_),
                        context.quantized_offsets};
  parallel_for_tiles(context.pool, run_quantize_tile, &quantize, rows,
                     quantize_tile(context.pool, rows));
  args->aq = context.quantized;
  args->aq_scales = context.quantized_scales;
  args->aq_group_offsets = context.quantized_offsets;
  args->aq_token_scales = context.kernels->token_activation_scales;
  args->aq_power_of_two_scales = context.kernels->power_of_two_activation_scales;
  return Status::ok_status();
}

Status Linear::run_shared_input(const SharedInputCall* calls, size_t count, size_t rows,
                                const float* x, const LinearContext& context) {
  GRF_CHECK(count <= kMaxSharedInputCalls, kInternal, "%zu maps of one input; at most %zu", count,
            kMaxSharedInputCalls);
  if (count == 0) return Status::ok_status();
  const Linear& first = *calls[0].map;
  bool together = first.created_ && first.engine_ != LinearEngine::kXnnpack;
  for (size_t i = 1; i < count && together; ++i) {
    const Linear& map = *calls[i].map;
    together = map.created_ && map.engine_ == first.engine_ && map.in_ == first.in_ &&
               map.input_stride_ == first.input_stride_;
  }
  if (!together) {  // XNNPACK operators (each under its own lock), or maps that differ
    for (size_t i = 0; i < count; ++i) {
      GRF_RETURN_IF_ERROR(calls[i].map->run(rows, x, calls[i].y, context));
    }
    return Status::ok_status();
  }
  return run_together(calls, count, rows, x, context);
}

Status Linear::run_together(const SharedInputCall* calls, size_t count, size_t rows, const float* x,
                            const LinearContext& context) {
  const Linear& first = *calls[0].map;
  std::array<GemmArgs, kMaxSharedInputCalls> args;
  std::array<size_t, kMaxSharedInputCalls + 1> first_rows{};
  for (size_t i = 0; i < count; ++i) {
    args[i] = calls[i].map->gemm_args(rows, x, calls[i].y, context);
    first_rows[i + 1] = first_rows[i] + calls[i].map->out_;
  }
  GRF_RETURN_IF_ERROR(first.quantize_input(rows, x, &args[0], context));
  for (size_t i = 1; i < count; ++i) {
    args[i].aq = args[0].aq;
    args[i].aq_scales = args[0].aq_scales;
    args[i].aq_group_offsets = args[0].aq_group_offsets;
    args[i].aq_token_scales = args[0].aq_token_scales;
    args[i].aq_power_of_two_scales = args[0].aq_power_of_two_scales;
  }
  const size_t threads = context.pool ? pthreadpool_get_threads_count(context.pool) : 1;
  MapsTask task{first.kernel_for(context), args.data(), first_rows.data(), count,
                TaperedRows(first_rows[count], threads)};
  parallel_for_tiles(context.pool, run_map_pieces, &task, task.rows.tasks(), 1);
  return Status::ok_status();
}

Status Linear::run_blocks(const BlockCall* calls, size_t count, size_t rows,
                          const LinearContext& context) {
  GRF_CHECK(count <= kMaxBlockCalls, kInternal, "%zu block maps in one call; at most %zu", count,
            kMaxBlockCalls);
  if (count == 0) return Status::ok_status();
  const Linear& first = *calls[0].map;
  std::array<GemmArgs, kMaxBlockCalls> args;
  for (size_t i = 0; i < count; ++i) {
    const Linear& map = *calls[i].map;
    GRF_CHECK(map.created_ && map.engine_ == LinearEngine::kF32 && map.out_ == first.out_,
              kInternal, "run_blocks takes f32 block maps of one output size");
    args[i] = map.gemm_args(rows, calls[i].x, calls[i].y, context);
  }
  BlocksTask task{first.kernel_for(context), args.data(), first.out_};
  parallel_for_tiles(context.pool, run_block_maps, &task, count, 1);
  return Status::ok_status();
}

}  // namespace griffin
