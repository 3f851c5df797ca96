// Options of one GriffinSession.generate call: griffin_generate_options and its sampler.
package org.griffinrt;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Options of one generation, chained: {@code new GenerateOptions().maxTokens(32).temperature(0f)}.
 * Defaults are the C API's: 256 tokens, greedy, no stop sequences. Values are checked by the
 * C library, so a bad value fails with its message (GriffinException, INVALID_ARGUMENT).
 */
public final class GenerateOptions {
  int maxTokens = 0; // 0 = the C default (256)
  float temperature = 0f;
  int topK = 0;
  float topP = 1f;
  float minP = 0f;
  float repetitionPenalty = 1f;
  int repetitionWindow = 0;
  Long seed = null;
  String[] stopSequences = new String[0];

  /** Tokens to generate at most; 0 = 256. */
  public GenerateOptions maxTokens(int maxTokens) {
    this.maxTokens = maxTokens;
    return this;
  }

  /** 0 = greedy (argmax). */
  public GenerateOptions temperature(float temperature) {
    this.temperature = temperature;
    return this;
  }

  /** Keep the k most likely tokens; 0 = off. */
  public GenerateOptions topK(int topK) {
    this.topK = topK;
    return this;
  }

  /** Keep the smallest set with probability at least p; 1 = off. */
  public GenerateOptions topP(float topP) {
    this.topP = topP;
    return this;
  }

  /** Drop tokens below minP times the probability of the most likely one; 0 = off. */
  public GenerateOptions minP(float minP) {
    this.minP = minP;
    return this;
  }

  /** Above 1 discourages recent tokens; 1 = off. */
  public GenerateOptions repetitionPenalty(float repetitionPenalty) {
    this.repetitionPenalty = repetitionPenalty;
    return this;
  }

  /** Recent tokens penalised; 0 = the session's history size. */
  public GenerateOptions repetitionWindow(int repetitionWindow) {
    this.repetitionWindow = repetitionWindow;
    return this;
  }

  /**
   * Restarts the sampler from this seed before the first sample, so the same session state,
   * options and seed give the same reply. Without it the session's generator runs on (seeded by
   * {@link GriffinSession.Options#seed}). Greedy decoding (temperature 0) draws nothing.
   */
  public GenerateOptions seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Text that ends the reply when it appears (it is not emitted). Replaces earlier ones. */
  public GenerateOptions stopSequences(String... stopSequences) {
    this.stopSequences = stopSequences.clone();
    return this;
  }

  public int maxTokens() {
    return maxTokens;
  }

  public float temperature() {
    return temperature;
  }

  public List<String> stopSequences() {
    return Collections.unmodifiableList(Arrays.asList(stopSequences));
  }
}
