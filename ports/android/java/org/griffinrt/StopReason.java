// Why generation ended: griffin_stop_reason (griffin.h), in the same order.
package org.griffinrt;

/** Why {@link GriffinSession#generate} returned. Ordinals equal the C values. */
public enum StopReason {
  /** maxTokens generated. */
  LENGTH,
  /** The model produced EOS or the end-of-turn token. */
  END_OF_SEQUENCE,
  /** A stop sequence appeared; it is not part of the text. */
  STOP_SEQUENCE,
  /** The {@link TokenListener} returned false. */
  CALLBACK,
  /** {@link GriffinSession#cancel} was called. */
  CANCELLED;

  static StopReason fromCode(int code) {
    StopReason[] all = values();
    if (code < 0 || code >= all.length) {
      throw new GriffinException(GriffinStatus.INTERNAL, "unknown stop reason " + code);
    }
    return all[code];
  }
}
