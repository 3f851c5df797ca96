// The one exception type of the binding: a failed C call's status and its message.
package org.griffinrt;

import java.nio.charset.StandardCharsets;

/**
 * Thrown when a griffin-rt call fails. Unchecked, so Kotlin and Java callers handle it where
 * they choose. Carries the C status and the C API's message (griffin_last_error) unchanged.
 */
public class GriffinException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final GriffinStatus status;
  private final String nativeMessage;

  public GriffinException(GriffinStatus status, String nativeMessage) {
    super(status.description() + ": " + nativeMessage);
    this.status = status;
    this.nativeMessage = nativeMessage;
  }

  /** Called from JNI: the message arrives as UTF-8 bytes (never modified UTF-8). */
  GriffinException(int code, byte[] utf8Message) {
    this(GriffinStatus.fromCode(code), new String(utf8Message, StandardCharsets.UTF_8));
  }

  /** The C status code of the failed call. */
  public GriffinStatus status() {
    return status;
  }

  /** The C API's message, e.g. "cannot open /x.griffin: No such file or directory". */
  public String nativeMessage() {
    return nativeMessage;
  }
}
