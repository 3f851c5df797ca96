// Receives streamed text during GriffinSession.generate.
package org.griffinrt;

/** Receives generated text as it is produced (a lambda in Java 8+ and Kotlin). */
public interface TokenListener {
  /**
   * Called on the generating thread with each non-empty piece of text: whole characters, never
   * a split one, so the pieces concatenate to the full reply.
   *
   * @return true to go on, false to stop (the result's stop reason is then CALLBACK)
   */
  boolean onPiece(String piece);
}
