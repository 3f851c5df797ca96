// The C API's loading for apps (griffin.h "Loading for apps"): a model inside a larger file
// (fd + offset, e.g. an APK asset) or in caller-owned memory. Both go through the same
// verification as griffin_model_open (GriffinFile::verify) and the same preparation.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "griffin/griffin.h"
#include "runtime/src/c_api_internal.h"

using griffin::capi::guarded;
using griffin::capi::read_options;
using griffin::capi::report;

namespace {

// Prepares the model of an opened file and wraps it in a handle.
griffin_status finish_open(griffin::Result<std::unique_ptr<griffin::GriffinFile>> file,
                           const griffin_model_options& opts, griffin_model** model) {
  if (!file.ok()) return report(file.status());
  return griffin::capi::make_model_handle(
      griffin::Model::open(std::move(file).value(), griffin::capi::model_options_from(opts)),
      model);
}

// How open_fd is to hold the model's bytes.
griffin::GriffinFile::Memory file_memory(const griffin_model_options& opts) {
  if (opts.huge_pages) return griffin::GriffinFile::Memory::kHugePageCopy;
  return opts.copy_weights ? griffin::GriffinFile::Memory::kCopy
                           : griffin::GriffinFile::Memory::kMapped;
}

}  // namespace

// copy_weights or huge_pages: read through an fd into an aligned private copy, so that nothing
// of the model depends on the file once this returns (README "Reliability").
griffin_status griffin::capi::open_path_copy(const char* path, const griffin_model_options& opts,
                                             griffin_model** model) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return report(griffin::make_status(griffin::StatusCode::kNotFound, "%s: cannot open: %s", path,
                                       std::strerror(errno)));
  }
  auto file = griffin::GriffinFile::open_fd(fd, 0, 0, file_memory(opts));
  close(fd);
  if (!file.ok()) return report(file.status().with_context(path));
  return finish_open(std::move(file), opts, model);
}

extern "C" {

griffin_status griffin_model_open_fd(int fd, uint64_t offset, uint64_t length,
                                     const griffin_model_options* options, griffin_model** model) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr, nullptr, "griffin_model_open_fd: model is NULL");
    *model = nullptr;
    griffin_model_options opts = griffin_model_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), nullptr,
                  "griffin_model_open_fd: options->struct_size is not a griffin_model_options "
                  "size");
    return finish_open(griffin::GriffinFile::open_fd(fd, offset, length, file_memory(opts)), opts,
                       model);
  });
}

griffin_status griffin_model_open_buffer(const void* data, size_t size,
                                         const griffin_model_options* options,
                                         griffin_model** model) {
  return guarded(nullptr, [&] {
    GRF_C_REQUIRE(model != nullptr, nullptr, "griffin_model_open_buffer: model is NULL");
    *model = nullptr;
    griffin_model_options opts = griffin_model_default_options();
    GRF_C_REQUIRE(read_options(options, &opts), nullptr,
                  "griffin_model_open_buffer: options->struct_size is not a "
                  "griffin_model_options size");
    return finish_open(griffin::GriffinFile::open_buffer(data, size), opts, model);
  });
}

}  // extern "C"
