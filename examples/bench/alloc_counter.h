// Counts calls to the global operator new in griffin-bench (alloc_counter.cpp replaces it), so
// the bench can show that its timed decode loop, runtime included, allocates nothing. C-level
// malloc calls (e.g. inside XNNPACK) are not seen.
#pragma once

#include <cstdint>

namespace griffin_tools {

// operator new calls (all forms) since the program started.
uint64_t operator_new_calls();

}  // namespace griffin_tools
