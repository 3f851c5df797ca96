// Generation through the Java binding: streaming, stop sequences, listener stop, cancel from a
// second thread, checked against a greedy run that does not use griffin_session_generate.
package org.griffinrt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class GenerateTest {
  private static GriffinModel model;

  @BeforeClass
  public static void openModel() {
    model = GriffinModel.open(Fixtures.modelPath());
  }

  @AfterClass
  public static void closeModel() {
    model.close();
  }

  @Test
  public void streamedPiecesConcatenateToTheGreedyReply() {
    final int maxTokens = 40;
    List<Integer> reference = Fixtures.greedyTokens(model, Fixtures.PROMPT, maxTokens);
    String expected = Fixtures.replyText(model, Fixtures.PROMPT, reference);
    assertTrue("the reference reply has text", expected.trim().length() > 10);

    final List<String> pieces = new ArrayList<>();
    GenerateResult result;
    try (GriffinSession session = model.newSession()) {
      result = session.generate(Fixtures.PROMPT,
          new GenerateOptions().maxTokens(maxTokens).temperature(0f).seed(7),
          piece -> {
            pieces.add(piece);
            return true;
          });
      assertEquals(result.promptTokens() + result.generatedTokens(), session.position());
    }
    StringBuilder joined = new StringBuilder();
    for (String piece : pieces) {
      assertTrue("pieces are never empty", piece.length() > 0);
      joined.append(piece);
    }
    assertTrue("streamed in several pieces", pieces.size() > 5);
    assertEquals(expected, joined.toString());
    assertEquals(expected, result.text());
    assertEquals(reference.size(), result.generatedTokens());
    assertEquals(model.tokenize(Fixtures.PROMPT, true).length, result.promptTokens());
    boolean endedByEos = reference.get(reference.size() - 1) == model.eosId();
    assertSame(endedByEos ? StopReason.END_OF_SEQUENCE : StopReason.LENGTH, result.stopReason());
  }

  @Test
  public void nonStreamingGenerateGivesTheSameText() {
    try (GriffinSession a = model.newSession(); GriffinSession b = model.newSession()) {
      GenerateOptions options = new GenerateOptions().maxTokens(24);
      StringBuilder streamed = new StringBuilder();
      GenerateResult withListener = a.generate(Fixtures.PROMPT, options, piece -> {
        streamed.append(piece);
        return true;
      });
      GenerateResult without = b.generate(Fixtures.PROMPT, options);
      assertEquals(streamed.toString(), without.text());
      assertEquals(withListener.text(), without.text());
    }
  }

  @Test
  public void stopSequenceEndsTheReplyBeforeIt() {
    String full;
    try (GriffinSession session = model.newSession()) {
      full = session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(48)).text();
    }
    // A stop sequence taken from the middle of the reply: the text before its first occurrence.
    int from = full.length() / 2;
    String stop = full.substring(from, Math.min(full.length(), from + 4));
    int at = full.indexOf(stop);
    assertTrue(at > 0);
    try (GriffinSession session = model.newSession()) {
      GenerateResult result = session.generate(Fixtures.PROMPT,
          new GenerateOptions().maxTokens(48).stopSequences("never appears 🙂", stop));
      assertSame(StopReason.STOP_SEQUENCE, result.stopReason());
      assertEquals(full.substring(0, at), result.text());
    }
  }

  @Test
  public void emojiAndCjkStopSequencesReachCAsValidUtf8() {
    // Modified UTF-8 (NewStringUTF/GetStringUTFChars) would encode U+1F642 as two 3-byte
    // surrogates, which the C API rejects as invalid UTF-8.
    try (GriffinSession session = model.newSession()) {
      GenerateResult result = session.generate(Fixtures.PROMPT,
          new GenerateOptions().maxTokens(8).stopSequences("🙂", "天地", "é🎉中"));
      assertSame(StopReason.LENGTH, result.stopReason());
      assertEquals(8, result.generatedTokens());
    }
  }

  @Test
  public void listenerReturningFalseStops() {
    try (GriffinSession session = model.newSession()) {
      final int[] calls = {0};
      GenerateResult result = session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(64),
          piece -> ++calls[0] < 3);
      assertSame(StopReason.CALLBACK, result.stopReason());
      assertEquals(3, calls[0]);
      assertTrue(result.generatedTokens() < 64);
    }
  }

  @Test
  public void listenerExceptionIsRethrownAndTheSessionStaysUsable() {
    try (GriffinSession session = model.newSession()) {
      try {
        session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(64), piece -> {
          throw new IllegalStateException("listener failed");
        });
        fail("expected the listener's exception");
      } catch (IllegalStateException expected) {
        assertEquals("listener failed", expected.getMessage());
      }
      long position = session.position();
      assertTrue(position > 0);
      GenerateResult more = session.generate(" and", new GenerateOptions().maxTokens(4));
      assertEquals(4, more.generatedTokens());
    }
  }

  @Test(timeout = 60000)
  public void cancelFromASecondThread() throws Exception {
    final int maxTokens = 5000;
    try (final GriffinSession session = model.newSession()) {
      final CountDownLatch generating = new CountDownLatch(1);
      final CountDownLatch cancelled = new CountDownLatch(1);
      final AtomicReference<GenerateResult> result = new AtomicReference<>();
      final AtomicReference<Throwable> error = new AtomicReference<>();
      Thread worker = new Thread(() -> {
        try {
          result.set(session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(maxTokens),
              piece -> {
                generating.countDown();
                try {
                  // Hold the first piece until the cancel is in, so it lands mid-generation.
                  cancelled.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return true;
              }));
        } catch (Throwable t) {
          error.set(t);
        }
      });
      worker.start();
      assertTrue(generating.await(30, TimeUnit.SECONDS));
      session.cancel();
      cancelled.countDown();
      worker.join(30000);
      if (error.get() != null) throw new AssertionError(error.get());
      assertSame(StopReason.CANCELLED, result.get().stopReason());
      assertTrue("stopped within a step: " + result.get().generatedTokens(),
          result.get().generatedTokens() < 20);
      // Still usable, and a cancel from before a generate does not stop it.
      session.cancel();
      GenerateResult next = session.generate(" and", new GenerateOptions().maxTokens(3));
      assertEquals(3, next.generatedTokens());
      assertSame(StopReason.LENGTH, next.stopReason());
    }
  }

  @Test
  public void perCallSeedEqualsASessionCreatedWithThatSeed() {
    GenerateOptions sampling = new GenerateOptions().maxTokens(24).temperature(1.0f);
    try (GriffinSession seeded = model.newSession(new GriffinSession.Options().seed(3));
        GriffinSession other = model.newSession(new GriffinSession.Options().seed(99))) {
      String expected = seeded.generate(Fixtures.PROMPT, sampling).text();
      String reseeded = other.generate(Fixtures.PROMPT, sampling.seed(3)).text();
      assertEquals(expected, reseeded);
    }
  }

  @Test
  public void sessionSeedGivesReproducibleSamples() {
    GriffinSession.Options options = new GriffinSession.Options().seed(1234);
    GenerateOptions sampling = new GenerateOptions().maxTokens(24).temperature(1.0f);
    try (GriffinSession a = model.newSession(options); GriffinSession b = model.newSession(options)) {
      assertEquals(a.generate(Fixtures.PROMPT, sampling).text(), b.generate(Fixtures.PROMPT, sampling).text());
    }
  }
}
