// Java strings to the NUL-terminated UTF-8 the C API takes (standard UTF-8, never JNI's modified one).
package org.griffinrt;

import java.nio.charset.StandardCharsets;

final class Utf8 {
  private Utf8() {}

  /** UTF-8 bytes of {@code text}; refuses text with a NUL, which C would cut short. */
  static byte[] encodeNoNul(String text, String what) {
    if (text == null) throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, what + " is null");
    if (text.indexOf('\0') >= 0) {
      throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, what + " contains a NUL character");
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
