// GriffinModel.Options' residency options (copyWeights, prefault, lockWeights, hugePages), and
// sleepBetweenSteps and perTokenActivationScales: each decodes the bundled model to the same tokens as the mapped default, and
// reports its huge pages.
package org.griffinrt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;
import org.junit.Test;

public class ResidencyTest {
  private static final long HUGE_PAGE = 2L << 20;

  private static List<Integer> mappedTokens() {
    try (GriffinModel model = GriffinModel.open(Fixtures.modelPath())) {
      assertEquals("a mapped file has no huge-page copy", 0, model.weightsHugePageBytes());
      return Fixtures.greedyTokens(model, Fixtures.PROMPT, 12);
    }
  }

  @Test
  public void copyAndPrefaultDecodeAsTheMappedFile() {
    List<Integer> expected = mappedTokens();
    assertEquals(12, expected.size());
    GriffinModel.Options[] options = {new GriffinModel.Options().copyWeights(true),
        new GriffinModel.Options().prefault(true),
        new GriffinModel.Options().sleepBetweenSteps(true),
        // The bundled model is bf16: activation scales (integer paths only) change nothing.
        new GriffinModel.Options().perTokenActivationScales(true),
        new GriffinModel.Options().powerOfTwoActivationScales(true)};
    for (GriffinModel.Options option : options) {
      try (GriffinModel model = GriffinModel.open(Fixtures.modelPath(), option)) {
        assertEquals(expected, Fixtures.greedyTokens(model, Fixtures.PROMPT, 12));
        assertEquals(0, model.weightsHugePageBytes());
      }
    }
  }

  @Test
  public void hugePagesDecodeAsTheMappedFileByPathAndDescriptor() throws IOException {
    List<Integer> expected = mappedTokens();
    long fileBytes = new File(Fixtures.modelPath()).length();
    long mostGranted = (fileBytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    GriffinModel.Options options = new GriffinModel.Options().hugePages(true);
    try (GriffinModel byPath = GriffinModel.open(Fixtures.modelPath(), options);
         FileInputStream in = new FileInputStream(Fixtures.modelPath());
         GriffinModel byFd = GriffinModel.open(in.getFD(), 0, 0, options)) {
      for (GriffinModel model : new GriffinModel[] {byPath, byFd}) {
        assertEquals(expected, Fixtures.greedyTokens(model, Fixtures.PROMPT, 12));
        // What the kernel granted depends on THP and free memory; never more than the copy.
        long granted = model.weightsHugePageBytes();
        assertTrue("granted " + granted, granted >= 0 && granted <= mostGranted);
      }
    }
  }

  @Test
  public void lockWeightsDecodesOrNamesTheLimit() {
    List<Integer> expected = mappedTokens();
    try (GriffinModel model = GriffinModel.open(
             Fixtures.modelPath(), new GriffinModel.Options().lockWeights(true))) {
      assertEquals(expected, Fixtures.greedyTokens(model, Fixtures.PROMPT, 12));
    } catch (GriffinException e) {
      // Allowed only as the documented refusal: RLIMIT_MEMLOCK below the weights' size.
      assertEquals(GriffinStatus.OUT_OF_MEMORY, e.status());
      if (!e.getMessage().contains("RLIMIT_MEMLOCK")) fail("unexpected message: " + e.getMessage());
    }
  }
}
