// Shared by the Java tests: the bundled model and an independent greedy reference run.
package org.griffinrt;

import java.util.ArrayList;
import java.util.List;

final class Fixtures {
  private Fixtures() {}

  /** The bundled model (examples/models/kjv-griffin), passed by CTest as -Dgriffin.model. */
  static String modelPath() {
    String path = System.getProperty("griffin.model");
    if (path == null) throw new IllegalStateException("run with -Dgriffin.model=<kjv-griffin.griffin>");
    return path;
  }

  static final String PROMPT = "In the beginning";

  /** Greedy tokens after {@code prompt}, by prefill, argmax in Java and decode: no generate call. */
  static List<Integer> greedyTokens(GriffinModel model, String prompt, int maxTokens) {
    List<Integer> tokens = new ArrayList<>();
    try (GriffinSession session = model.newSession()) {
      session.prefill(model.tokenize(prompt, true));
      float[] logits = session.logits();
      for (int i = 0; i < maxTokens; i++) {
        int best = argmax(logits);
        tokens.add(best);
        if (best == model.eosId()) break;
        logits = session.decode(best);
      }
    }
    return tokens;
  }

  /** The text {@code tokens} add after {@code prompt}, by detokenizing prompt and reply together. */
  static String replyText(GriffinModel model, String prompt, List<Integer> tokens) {
    int[] promptIds = model.tokenize(prompt, true);
    int[] all = new int[promptIds.length + tokens.size()];
    System.arraycopy(promptIds, 0, all, 0, promptIds.length);
    for (int i = 0; i < tokens.size(); i++) all[promptIds.length + i] = tokens.get(i);
    String whole = model.detokenize(all);
    String promptText = model.detokenize(promptIds);
    if (!whole.startsWith(promptText)) {
      throw new AssertionError("detokenized text '" + whole + "' does not start with '" + promptText + "'");
    }
    return whole.substring(promptText.length());
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) best = i;
    }
    return best;
  }
}
