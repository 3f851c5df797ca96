// Errors, close() and loading through the Java binding: statuses and C messages arrive intact,
// handles are freed once, and a model opens from a region of a file (the APK-asset path).
package org.griffinrt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.Test;

public class LifecycleTest {
  @Test
  public void missingFileIsNotFoundWithTheCMessage() {
    // Emoji and CJK in the path: Java -> C and the C message -> Java both keep them.
    String path = "/nonexistent-dir/聖書-🙂.griffin";
    try {
      GriffinModel.open(path);
      fail("expected NOT_FOUND");
    } catch (GriffinException e) {
      assertSame(GriffinStatus.NOT_FOUND, e.status());
      assertTrue(e.nativeMessage(), e.nativeMessage().contains(path));
      assertEquals("not found: " + e.nativeMessage(), e.getMessage());
    }
  }

  @Test
  public void twoActivationScalesAreRefused() {
    GriffinModel.Options both =
        new GriffinModel.Options().perTokenActivationScales(true).powerOfTwoActivationScales(true);
    try {
      GriffinModel.open(Fixtures.modelPath(), both).close();
      fail("expected INVALID_ARGUMENT for two activation scales");
    } catch (GriffinException e) {
      assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
      assertTrue(e.nativeMessage(), e.nativeMessage().contains("activation_scale"));
    }
  }

  @Test
  public void badOptionValuesCarryTheCMessage() {
    try (GriffinModel model = GriffinModel.open(Fixtures.modelPath());
        GriffinSession session = model.newSession()) {
      try {
        session.generate("x", new GenerateOptions().maxTokens(-1));
        fail("expected INVALID_ARGUMENT");
      } catch (GriffinException e) {
        assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
        assertTrue(e.nativeMessage(), e.nativeMessage().contains("max_tokens"));
      }
      try {
        session.generate("x", new GenerateOptions().stopSequences(""));
        fail("expected INVALID_ARGUMENT for an empty stop sequence");
      } catch (GriffinException e) {
        assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
      }
      try {
        session.decode(model.vocabSize());
        fail("expected INVALID_ARGUMENT for a token past the vocabulary");
      } catch (GriffinException e) {
        assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
      }
    }
  }

  @Test
  public void closeTwiceAndUseAfterClose() {
    GriffinModel model = GriffinModel.open(Fixtures.modelPath());
    GriffinSession session = model.newSession();
    session.close();
    session.close();
    session.cancel(); // harmless on a closed session
    try {
      session.generate("x", new GenerateOptions());
      fail("expected IllegalStateException");
    } catch (IllegalStateException expected) {
      assertEquals("GriffinSession is closed", expected.getMessage());
    }
    GriffinSession open = model.newSession();
    model.close(); // closes the session still open first
    model.close();
    open.close();
    try {
      open.saveState();
      fail("expected IllegalStateException");
    } catch (IllegalStateException expected) {
      assertEquals("GriffinSession is closed", expected.getMessage());
    }
    try {
      model.newSession();
      fail("expected IllegalStateException");
    } catch (IllegalStateException expected) {
      assertEquals("GriffinModel is closed", expected.getMessage());
    }
  }

  @Test
  public void emojiAndCjkRoundTripThroughTheTokenizer() {
    String text = "In the beginning 🙂 天地 was the Word, 言葉 👩‍👩‍👧 é";
    try (GriffinModel model = GriffinModel.open(Fixtures.modelPath())) {
      int[] ids = model.tokenize(text, false);
      assertTrue(ids.length > 10);
      assertEquals(text, model.detokenize(ids));
    }
  }

  @Test
  public void opensFromAFileRegionLikeAnApkAsset() throws IOException {
    byte[] modelBytes = Files.readAllBytes(new File(Fixtures.modelPath()).toPath());
    String expected;
    try (GriffinModel model = GriffinModel.open(Fixtures.modelPath());
        GriffinSession session = model.newSession()) {
      expected = session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(12)).text();
    }
    // 4096: aligned, mapped in place. 100: misaligned, read into a copy. Bytes follow the model
    // too, so the length must be honoured.
    for (int offset : new int[] {4096, 100}) {
      File container = File.createTempFile("griffin-asset", ".apk");
      try {
        try (FileOutputStream out = new FileOutputStream(container)) {
          out.write(new byte[offset]);
          out.write(modelBytes);
          out.write(new byte[777]);
        }
        try (FileInputStream in = new FileInputStream(container);
            GriffinModel model = GriffinModel.open(in.getFD(), offset, modelBytes.length);
            GriffinSession session = model.newSession()) {
          assertEquals("offset " + offset, expected,
              session.generate(Fixtures.PROMPT, new GenerateOptions().maxTokens(12)).text());
        }
      } finally {
        assertTrue(container.delete());
      }
    }
  }

  @Test
  public void badFileRegionIsAnError() throws IOException {
    File notAModel = File.createTempFile("griffin-junk", ".bin");
    try {
      try (FileOutputStream out = new FileOutputStream(notAModel)) {
        out.write(new byte[4096]);
      }
      try (FileInputStream in = new FileInputStream(notAModel)) {
        try {
          GriffinModel.open(in.getFD(), 0, 0);
          fail("expected INVALID_MODEL");
        } catch (GriffinException e) {
          assertSame(GriffinStatus.INVALID_MODEL, e.status());
        }
        try {
          GriffinModel.open(in.getFD(), 4000, 1000);
          fail("expected INVALID_ARGUMENT for a range past the end");
        } catch (GriffinException e) {
          assertSame(GriffinStatus.INVALID_ARGUMENT, e.status());
        }
      }
    } finally {
      assertTrue(notAModel.delete());
    }
  }

  @Test
  public void memoryPlanAddsUp() {
    try (GriffinModel model = GriffinModel.open(Fixtures.modelPath());
        GriffinSession session = model.newSession()) {
      MemoryPlan plan = model.memoryPlan();
      assertEquals(plan.weightsMappedBytes() + plan.weightsPackedBytes() + plan.weightsPreparedBytes(),
          plan.modelBytes());
      assertEquals(plan.modelBytes() + plan.sessionBytes(), plan.totalBytes());
      assertEquals(plan.stateBytes(), session.saveState().length);
      assertTrue(plan.weightsMappedBytes() > 1_000_000);
      // A longer history plans more bytes for it.
      MemoryPlan longer = model.memoryPlan(new GriffinSession.Options().historySize(4096));
      assertTrue(longer.historyBytes() > plan.historyBytes());
    }
  }
}
