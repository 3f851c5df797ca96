// XNNPACK fully-connected wrapper (see linear.h).
#include "runtime/src/linear.h"

#include <limits>
#include <mutex>
#include <vector>

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

Linear::Linear(Linear&& other) noexcept : op_(other.op_), in_(other.in_), out_(other.out_) {
  other.op_ = nullptr;
}

Linear& Linear::operator=(Linear&& other) noexcept {
  if (this != &other) {
    if (op_) xnn_delete_operator(op_);
    op_ = other.op_;
    in_ = other.in_;
    out_ = other.out_;
    other.op_ = nullptr;
  }
  return *this;
}

Linear::~Linear() {
  if (op_) xnn_delete_operator(op_);
}

namespace {

// The tensor as f32: the mapped data itself, or a widened copy for bf16/f16 (XNNPACK copies
// the weights into its packed buffer, so the copy lives only during operator creation).
const float* as_f32(const TensorView& view, std::vector<float>* storage) {
  if (view.record->dtype == DType::kF32) return static_cast<const float*>(view.data);
  const size_t count = static_cast<size_t>(element_count(view.record->shape));
  storage->resize(count);
  convert_elements(view.record->dtype, view.data, DType::kF32, storage->data(), count);
  return storage->data();
}

}  // namespace

Result<Linear> Linear::make(const float* weight, const float* bias, size_t in, size_t out,
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
  return Linear(op, in, out);
}

Result<Linear> Linear::create(const TensorView& weight, const TensorView* bias,
                              size_t input_stride, size_t output_stride) {
  const std::vector<int64_t>& shape = weight.record->shape;
  GRF_CHECK(shape.size() == 2, kInternal, "%s is not a matrix", weight.record->name.c_str());
  std::vector<float> weight_storage, bias_storage;
  const float* w = as_f32(weight, &weight_storage);
  const float* b = bias ? as_f32(*bias, &bias_storage) : nullptr;
  return make(w, b, static_cast<size_t>(shape[1]), static_cast<size_t>(shape[0]), input_stride,
              output_stride, 0, weight.record->name);
}

Result<Linear> Linear::create_block(const float* weight_in_out, const float* bias, size_t in,
                                    size_t out, size_t input_stride, size_t output_stride) {
  return make(weight_in_out, bias, in, out, input_stride, output_stride,
              XNN_FLAG_TRANSPOSE_WEIGHTS, "RG-LRU gate block");
}

Status Linear::run(size_t rows, const float* x, float* y, pthreadpool_t pool) const {
  xnn_status status = xnn_setup_fully_connected_nc_f32(op_, rows, x, y, pool);
  GRF_CHECK(status == xnn_status_success, kInternal, "XNNPACK setup failed (status %d)",
            static_cast<int>(status));
  status = xnn_run_operator(op_, pool);
  GRF_CHECK(status == xnn_status_success, kInternal, "XNNPACK run failed (status %d)",
            static_cast<int>(status));
  return Status::ok_status();
}

}  // namespace griffin
