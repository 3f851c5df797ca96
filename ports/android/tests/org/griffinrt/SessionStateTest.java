// Snapshots and fork through the Java binding: a restored or forked session continues exactly
// like the original.
package org.griffinrt;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.fail;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class SessionStateTest {
  private static GriffinModel model;
  private static final GenerateOptions CONTINUE = new GenerateOptions().maxTokens(24);

  @BeforeClass
  public static void openModel() {
    model = GriffinModel.open(Fixtures.modelPath());
  }

  @AfterClass
  public static void closeModel() {
    model.close();
  }

  @Test
  public void snapshotRoundTripContinuesIdentically() {
    try (GriffinSession session = model.newSession(); GriffinSession other = model.newSession()) {
      session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(6));
      long position = session.position();
      byte[] state = session.saveState();
      assertEquals(model.memoryPlan().stateBytes(), state.length);

      String first = session.generate(" and", CONTINUE).text();
      assertNotEquals(position, session.position());

      session.loadState(state);
      assertEquals(position, session.position());
      assertEquals(first, session.generate(" and", CONTINUE).text());

      // Into another session of the same model and options.
      other.loadState(state);
      assertEquals(position, other.position());
      assertEquals(first, other.generate(" and", CONTINUE).text());
      assertArrayEquals(session.saveState(), other.saveState());
    }
  }

  @Test
  public void corruptSnapshotIsRefusedAndChangesNothing() {
    try (GriffinSession session = model.newSession()) {
      session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(4));
      byte[] before = session.saveState();
      byte[] corrupt = before.clone();
      corrupt[corrupt.length - 1] ^= 0x5a;
      byte[][] bad = {corrupt, java.util.Arrays.copyOf(before, before.length / 2), new byte[0]};
      for (byte[] state : bad) {
        try {
          session.loadState(state);
          fail("expected INVALID_ARGUMENT for a snapshot of " + state.length + " bytes");
        } catch (GriffinException e) {
          assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
          assertNotEquals("", e.nativeMessage());
        }
      }
      assertArrayEquals(before, session.saveState());
    }
  }

  @Test
  public void forkContinuesLikeTheOriginalAndIndependently() {
    try (GriffinSession session = model.newSession()) {
      session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(6));
      long position = session.position();
      try (GriffinSession branch = session.fork()) {
        assertEquals(position, branch.position());
        String fromBranch = branch.generate(" and", CONTINUE).text();
        // The branch moved on; the original did not.
        assertEquals(position, session.position());
        assertEquals(fromBranch, session.generate(" and", CONTINUE).text());
        assertEquals(session.position(), branch.position());
      }
    }
  }

  @Test
  public void logitsFollowTheStateExactly() {
    try (GriffinSession session = model.newSession()) {
      session.prefill(model.tokenize(Fixtures.PROMPT, true));
      float[] logits = session.logits();
      assertEquals(model.vocabSize(), logits.length);
      try (GriffinSession branch = session.fork()) {
        assertArrayEquals(logits, branch.logits(), 0f);
        int next = Fixtures.argmax(logits);
        assertArrayEquals(session.decode(next), branch.decode(next), 0f);
      }
    }
  }
}
