// What one GriffinSession.generate call did: griffin_generate_result plus the text.
package org.griffinrt;

/** The outcome of {@link GriffinSession#generate}. Immutable. */
public final class GenerateResult {
  private final String text;
  private final StopReason stopReason;
  private final int promptTokens;
  private final int generatedTokens;
  private final double prefillSeconds;
  private final double decodeSeconds;

  GenerateResult(String text, StopReason stopReason, int promptTokens, int generatedTokens,
      double prefillSeconds, double decodeSeconds) {
    this.text = text;
    this.stopReason = stopReason;
    this.promptTokens = promptTokens;
    this.generatedTokens = generatedTokens;
    this.prefillSeconds = prefillSeconds;
    this.decodeSeconds = decodeSeconds;
  }

  /** The whole reply: every piece the listener received, concatenated. */
  public String text() {
    return text;
  }

  public StopReason stopReason() {
    return stopReason;
  }

  /** Prompt tokens fed (BOS included on a fresh session). */
  public int promptTokens() {
    return promptTokens;
  }

  /** Tokens sampled and fed (EOS included). */
  public int generatedTokens() {
    return generatedTokens;
  }

  public double prefillSeconds() {
    return prefillSeconds;
  }

  public double decodeSeconds() {
    return decodeSeconds;
  }

  @Override
  public String toString() {
    return "GenerateResult{" + stopReason + ", prompt " + promptTokens + ", generated "
        + generatedTokens + "}";
  }
}
