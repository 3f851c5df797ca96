// One source per fuzz target, built two ways: as a libFuzzer binary (GRIFFIN_FUZZ_LIBFUZZER,
// tests/fuzz/CMakeLists.txt) and into griffin-tests, where test_fuzz_corpus.cpp replays every
// file of tests/fuzz/corpus/<name>/ through the same function with the normal build.
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef GRIFFIN_FUZZ_LIBFUZZER
#define GRIFFIN_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define GRIFFIN_FUZZ_TARGET(name) int griffin_fuzz_##name(const uint8_t* data, size_t size)
#endif

// The targets' entry points as griffin-tests sees them.
int griffin_fuzz_model_buffer(const uint8_t* data, size_t size);
int griffin_fuzz_safetensors(const uint8_t* data, size_t size);
int griffin_fuzz_hf_config(const uint8_t* data, size_t size);
int griffin_fuzz_text(const uint8_t* data, size_t size);
int griffin_fuzz_session_load(const uint8_t* data, size_t size);
