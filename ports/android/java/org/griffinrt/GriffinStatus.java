// The C API's griffin_status codes (griffin.h), with the same values.
package org.griffinrt;

/** Status of a failed call: the C API's {@code griffin_status}, value for value. */
public enum GriffinStatus {
  OK(0, "ok"),
  INVALID_ARGUMENT(1, "invalid argument"),
  NOT_FOUND(2, "not found"),
  IO(3, "I/O error"),
  INVALID_MODEL(4, "invalid model"),
  UNSUPPORTED(5, "unsupported"),
  OUT_OF_MEMORY(6, "out of memory"),
  OUT_OF_RANGE(7, "out of range"),
  INTERNAL(8, "internal error");

  private final int code;
  private final String description;

  GriffinStatus(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The C value ({@code GRIFFIN_ERR_NOT_FOUND} is 2). */
  public int code() {
    return code;
  }

  /** A fixed description of the code, as griffin_status_string gives it. */
  public String description() {
    return description;
  }

  /** The status with C value {@code code}; INTERNAL for a value this binding does not know. */
  public static GriffinStatus fromCode(int code) {
    for (GriffinStatus status : values()) {
      if (status.code == code) return status;
    }
    return INTERNAL;
  }
}
