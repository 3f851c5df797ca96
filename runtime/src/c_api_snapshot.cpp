// The C API of session snapshots and fork (griffin.h "Session state"), and the chat markers.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "format/atomic_file.h"
#include "runtime/src/c_api_internal.h"

using griffin::capi::fail;
using griffin::capi::guarded;
using griffin::capi::report;

namespace {

// Reads a whole snapshot file, refusing one larger than `limit` bytes without reading it.
griffin::Status read_snapshot_file(const char* path, size_t limit, std::vector<uint8_t>* bytes) {
  std::FILE* file = std::fopen(path, "rb");
  GRF_CHECK(file != nullptr, kNotFound, "%s: cannot open: %s", path, std::strerror(errno));
  struct Closer {
    std::FILE* file;
    ~Closer() { std::fclose(file); }
  } closer{file};
  GRF_CHECK(std::fseek(file, 0, SEEK_END) == 0, kIoError, "%s: cannot seek: %s", path,
            std::strerror(errno));
  const long size = std::ftell(file);
  GRF_CHECK(size >= 0, kIoError, "%s: cannot tell its size: %s", path, std::strerror(errno));
  GRF_CHECK(static_cast<unsigned long>(size) <= limit, kInvalidArgument,
            "%s: %ld bytes is not a snapshot of this session (which has %zu bytes)", path, size,
            limit);
  std::rewind(file);
  bytes->resize(static_cast<size_t>(size));
  GRF_CHECK(std::fread(bytes->data(), 1, bytes->size(), file) == bytes->size(), kIoError,
            "%s: read failed", path);
  return griffin::Status::ok_status();
}

}  // namespace

extern "C" {

griffin_status griffin_session_state_size(const griffin_session* session, size_t* bytes) {
  GRF_C_REQUIRE(session != nullptr && bytes != nullptr, nullptr,
                "griffin_session_state_size: NULL argument");
  *bytes = session->session->snapshot_size();
  return GRIFFIN_OK;
}

griffin_status griffin_session_save(const griffin_session* session, void* buffer, size_t capacity,
                                    size_t* written) {
  GRF_C_REQUIRE(session != nullptr && written != nullptr && (buffer != nullptr || capacity == 0),
                nullptr, "griffin_session_save: NULL argument");
  return report(session->session->save(buffer, capacity, written));
}

griffin_status griffin_session_load(griffin_session* session, const void* data, size_t size) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_load: session is NULL");
  GRF_C_REQUIRE(data != nullptr || size == 0, session, "griffin_session_load: data is NULL");
  return report(session->session->load(data, size), session);
}

griffin_status griffin_session_save_file(const griffin_session* session, const char* path) {
  GRF_C_REQUIRE(session != nullptr && path != nullptr, nullptr,
                "griffin_session_save_file: NULL argument");
  return guarded(nullptr, [&] {
    std::vector<uint8_t> bytes(session->session->snapshot_size());
    size_t written = 0;
    griffin::Status status = session->session->save(bytes.data(), bytes.size(), &written);
    if (!status.ok()) return report(status);
    // Written to a temporary file in the same directory and renamed: a crash or a full disk
    // never leaves a partial snapshot under `path`.
    auto file = griffin::AtomicOutputFile::create(path);
    if (!file.ok()) return report(file.status());
    status = file.value()->write(bytes.data(), written);
    if (status.ok()) status = file.value()->commit();
    return report(status);
  });
}

griffin_status griffin_session_load_file(griffin_session* session, const char* path) {
  GRF_C_REQUIRE(session != nullptr, nullptr, "griffin_session_load_file: session is NULL");
  GRF_C_REQUIRE(path != nullptr, session, "griffin_session_load_file: path is NULL");
  return guarded(session, [&] {
    std::vector<uint8_t> bytes;
    griffin::Status status = read_snapshot_file(path, session->session->snapshot_size(), &bytes);
    if (status.ok()) status = session->session->load(bytes.data(), bytes.size());
    if (!status.ok()) return report(status.with_context(path), session);
    return GRIFFIN_OK;
  });
}

griffin_status griffin_session_fork(const griffin_session* source, griffin_session** copy) {
  GRF_C_REQUIRE(source != nullptr && copy != nullptr, nullptr,
                "griffin_session_fork: NULL argument");
  return guarded(nullptr, [&] {
    *copy = nullptr;
    auto forked = source->session->fork();
    if (!forked.ok()) return report(forked.status());
    *copy = new griffin_session{std::move(forked).value(), std::string()};
    return GRIFFIN_OK;
  });
}

griffin_status griffin_model_chat_markers(const griffin_model* model, const char** start,
                                          const char** end) {
  GRF_C_REQUIRE(model != nullptr, nullptr, "griffin_model_chat_markers: model is NULL");
  const griffin::TokenizerInfo& tokenizer = model->model->tokenizer_info();
  if (start != nullptr) *start = tokenizer.start_of_turn.c_str();
  if (end != nullptr) *end = tokenizer.end_of_turn.c_str();
  return GRIFFIN_OK;
}

}  // extern "C"
