// GriffinModel.batchDecode on the bundled model: each batched session's logits against a twin
// decoding alone, the refusals (which change no session), and batches over shared sessions from
// two threads at once, which must neither deadlock nor lose a step.
package org.griffinrt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class BatchDecodeTest {
  private static final int MAX_BATCH = 3;
  // The C tests' bound for a batched bf16 row against a lone decode, relative to the largest
  // logit (tests/unit/test_batch_decode.cpp): the products sum in another order.
  private static final float TOLERANCE = 2e-4f;
  private static final String[] PROMPTS = {
    "In the beginning", "And God said", "The LORD is my shepherd"
  };

  private static GriffinModel model;

  @BeforeClass
  public static void openModel() {
    model = GriffinModel.open(Fixtures.modelPath(), new GriffinModel.Options().maxBatch(MAX_BATCH));
  }

  @AfterClass
  public static void closeModel() {
    model.close();
  }

  private static GriffinSession prefilled(GriffinModel on, String prompt) {
    GriffinSession session = on.newSession();
    session.prefill(on.tokenize(prompt, true));
    return session;
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }

  private static float relativeDifference(float[] a, float[] b) {
    float worst = 0, scale = 1;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return worst / scale;
  }

  private static void expectInvalid(String what, Runnable call) {
    try {
      call.run();
      fail(what + ": accepted");
    } catch (GriffinException e) {
      assertEquals(what + ": " + e.getMessage(), GriffinStatus.INVALID_ARGUMENT, e.status());
    }
  }

  @Test
  public void batchedSessionsMatchTwinsDecodingAlone() {
    GriffinSession[] batch = new GriffinSession[PROMPTS.length];
    GriffinSession[] alone = new GriffinSession[PROMPTS.length];
    for (int i = 0; i < PROMPTS.length; i++) {
      batch[i] = prefilled(model, PROMPTS[i]);
      alone[i] = prefilled(model, PROMPTS[i]);
    }
    float worst = 0;
    for (int step = 0; step < 8; step++) {
      // Batches of 3, 2 and 1 in turn; each session takes its twin's greedy token.
      int count = PROMPTS.length - step % PROMPTS.length;
      GriffinSession[] sessions = new GriffinSession[count];
      int[] tokens = new int[count];
      for (int i = 0; i < count; i++) {
        sessions[i] = batch[i];
        tokens[i] = argmax(alone[i].logits());
        alone[i].decode(tokens[i]);
      }
      model.batchDecode(sessions, tokens);
      for (int i = 0; i < count; i++) {
        assertEquals(alone[i].position(), batch[i].position());
        worst = Math.max(worst, relativeDifference(batch[i].logits(), alone[i].logits()));
      }
    }
    assertTrue("worst relative logit difference " + worst, worst <= TOLERANCE);
    for (int i = 0; i < PROMPTS.length; i++) {
      batch[i].close();
      alone[i].close();
    }
  }

  @Test
  public void theBatchArenaIsInTheModelsPlannedBytes() {
    try (GriffinModel unbatched = GriffinModel.open(Fixtures.modelPath())) {
      long arena = model.memoryPlan().modelBytes() - unbatched.memoryPlan().modelBytes();
      // At least the batch's logits (the activations come on top).
      long logits = (long) MAX_BATCH * model.vocabSize() * Float.BYTES;
      assertTrue("arena " + arena + " bytes, logits alone " + logits, arena >= logits);
    }
  }

  @Test
  public void refusedBatchesChangeNoSession() {
    try (GriffinSession a = prefilled(model, PROMPTS[0]);
         GriffinSession b = prefilled(model, PROMPTS[1]);
         GriffinModel unbatched = GriffinModel.open(Fixtures.modelPath());
         GriffinSession other = prefilled(unbatched, PROMPTS[2])) {
      long positionA = a.position(), positionB = b.position();
      float[] logitsA = a.logits();
      expectInvalid("null sessions", () -> model.batchDecode(null, new int[] {5}));
      expectInvalid("null tokens", () -> model.batchDecode(new GriffinSession[] {a}, null));
      expectInvalid("lengths differ",
          () -> model.batchDecode(new GriffinSession[] {a, b}, new int[] {5}));
      expectInvalid("no session", () -> model.batchDecode(new GriffinSession[0], new int[0]));
      expectInvalid("a null session",
          () -> model.batchDecode(new GriffinSession[] {a, null}, new int[] {5, 6}));
      expectInvalid("the same session twice",
          () -> model.batchDecode(new GriffinSession[] {a, a}, new int[] {5, 6}));
      expectInvalid("more than maxBatch",
          () -> model.batchDecode(new GriffinSession[] {a, b, a, b}, new int[] {5, 6, 7, 8}));
      expectInvalid("a session of another model",
          () -> model.batchDecode(new GriffinSession[] {a, other}, new int[] {5, 6}));
      expectInvalid("a token outside the vocabulary", () -> model.batchDecode(
          new GriffinSession[] {a, b}, new int[] {5, model.vocabSize()}));
      expectInvalid("a model opened without maxBatch",
          () -> unbatched.batchDecode(new GriffinSession[] {other}, new int[] {5}));
      expectInvalid("a negative maxBatch", () -> GriffinModel.open(
          Fixtures.modelPath(), new GriffinModel.Options().maxBatch(-1)).close());
      assertEquals(positionA, a.position());
      assertEquals(positionB, b.position());
      assertEquals(0.0f, relativeDifference(a.logits(), logitsA), 0.0f);
    }
  }

  @Test
  public void batchesOverSharedSessionsFromTwoThreadsTakeTurns() throws InterruptedException {
    final int rounds = 20;
    try (GriffinSession a = prefilled(model, PROMPTS[0]);
         GriffinSession b = prefilled(model, PROMPTS[1])) {
      long startA = a.position(), startB = b.position();
      // Opposite orders: locking the sessions as given would deadlock sooner or later.
      Throwable[] failure = new Throwable[1];
      Thread other = new Thread(() -> {
        try {
          for (int r = 0; r < rounds; r++) {
            model.batchDecode(new GriffinSession[] {b, a}, new int[] {7, 9});
          }
        } catch (Throwable t) {
          failure[0] = t;
        }
      });
      other.start();
      for (int r = 0; r < rounds; r++) {
        model.batchDecode(new GriffinSession[] {a, b}, new int[] {11, 13});
      }
      other.join(60_000);
      assertTrue("the other thread is still running: deadlock", !other.isAlive());
      if (failure[0] != null) throw new AssertionError(failure[0]);
      assertEquals(startA + 2 * rounds, a.position());
      assertEquals(startB + 2 * rounds, b.position());
    }
  }
}
