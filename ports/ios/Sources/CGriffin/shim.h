/* The installed C API header, found through griffin.pc's Cflags. */
#include <griffin/griffin.h>
