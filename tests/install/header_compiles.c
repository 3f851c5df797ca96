/* header_compiles.c: griffin.h on its own must compile as strict C99 (-std=c99 -pedantic
 * -Werror, prototypes required) and, built with -x c++, as C++17. CTest: library.header_c99 and
 * library.header_cxx17 (cmake/GriffinLibrary.cmake); the compiler only checks syntax. */
#include "griffin/griffin.h"

/* Touches the API's types and a function, so the header is really used. */
size_t header_check(void);
size_t header_check(void) {
  griffin_sampler_options sampler = griffin_sampler_default_options();
  griffin_status status = GRIFFIN_OK;
  return sizeof(griffin_model_options) + sizeof sampler + (size_t)status +
         (griffin_version() != NULL ? 1u : 0u);
}
