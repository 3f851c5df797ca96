// GriffinModel.Options.repackWeights on the tiny int4 model that the build writes (the bundled
// model is bf16, which nothing repacks): the prefill's logits stay the default's bit for bit, and
// the model reports the bytes the kernel's blocks take, counted here from griffin-tiny's widths.
package org.griffinrt;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class RepackTest {
  /** griffin-tiny as int4, passed by CTest as -Dgriffin.int4model. */
  private static String int4ModelPath() {
    String path = System.getProperty("griffin.int4model");
    if (path == null || path.isEmpty()) {
      throw new IllegalStateException("run with -Dgriffin.int4model=<griffin-tiny int4 .griffin>");
    }
    return path;
  }

  /**
   * griffin-tiny: width 64, lru_width 96, mlp_width 192, 4 recurrent and 2 local-attention
   * layers, 4 query heads and 1 key-value head of 16. A repacked int4 matrix takes, per whole
   * block of 32 rows and per 32 input columns, 32 rows x (16 bytes of nibbles + a 2-byte scale).
   */
  private static long expectedRepackedBytes() {
    long recurrent = 2 * blockBytes(96, 64) + blockBytes(64, 96);
    // The key and value projections have 16 rows: no whole block, left as stored.
    long attention = blockBytes(64, 64) + 2 * blockBytes(16, 64) + blockBytes(64, 64);
    long mlp = 2 * blockBytes(192, 64) + blockBytes(64, 192);
    return 4 * recurrent + 2 * attention + 6 * mlp;
  }

  private static long blockBytes(long rows, long columns) {
    return rows / 32 * ((columns + 31) / 32) * 32 * (16 + 2);
  }

  private static final int[] PROMPT = {2, 17, 42, 99, 260, 511, 3, 8, 64, 200, 7, 300};

  private static float[] prefillLogits(GriffinModel model) {
    try (GriffinSession session = model.newSession()) {
      session.prefill(PROMPT);
      return session.logits();
    }
  }

  @Test
  public void repackedModelPrefillsTheDefaultsBitsAndCountsItsBlocks() {
    float[] expected;
    try (GriffinModel model = GriffinModel.open(int4ModelPath())) {
      assertEquals("nothing is repacked by default", 0, model.weightsRepackedBytes());
      expected = prefillLogits(model);
    }
    GriffinModel.Options options = new GriffinModel.Options().repackWeights(true);
    try (GriffinModel model = GriffinModel.open(int4ModelPath(), options)) {
      assertArrayEquals(expected, prefillLogits(model), 0.0f);
      // Only the AVX-512 VNNI int4 kernel has a repacked form; elsewhere the option does nothing.
      boolean repacks = model.kernels().contains("qd8-qs4w-gemm avx512vnni");
      assertEquals(model.kernels(), repacks ? expectedRepackedBytes() : 0,
          model.weightsRepackedBytes());
    }
  }

  @Test
  public void kernelsNamesEveryFamilysVariant() {
    try (GriffinModel model = GriffinModel.open(int4ModelPath())) {
      String kernels = model.kernels();
      // The int4 matrices run on a qd8-qs4w variant, whatever the CPU.
      assertTrue(kernels, kernels.contains("qd8-qs4w-gemm "));
    }
  }
}
