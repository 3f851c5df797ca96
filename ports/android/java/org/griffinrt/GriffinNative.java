// The JNI entry points (ports/android/jni/griffin_jni.c). Handles are C pointers held as longs;
// every failure throws GriffinException from C. Strings cross as UTF-8 byte arrays.
package org.griffinrt;

import java.io.FileDescriptor;

final class GriffinNative {
  static {
    System.loadLibrary("griffin_jni");
  }

  private GriffinNative() {}

  static native byte[] version();

  // Flags of modelOpen and modelOpenFd: the booleans of GriffinModel.Options (griffin_jni.c).
  static final int OPTION_SCALAR = 1;
  static final int OPTION_INT8_ACTIVATIONS = 2;
  static final int OPTION_COPY_WEIGHTS = 4;
  static final int OPTION_PREFAULT = 8;
  static final int OPTION_LOCK_WEIGHTS = 16;
  static final int OPTION_HUGE_PAGES = 32;
  static final int OPTION_SLEEP_BETWEEN_STEPS = 64;
  static final int OPTION_PER_TOKEN_ACTIVATION_SCALES = 128;
  static final int OPTION_POWER_OF_TWO_ACTIVATION_SCALES = 256;
  static final int OPTION_REPACK_WEIGHTS = 512;

  static native long modelOpen(
      byte[] path, int numThreads, long maxMemoryBytes, int flags, int maxBatch);

  static native long modelOpenFd(int fd, long offset, long length, int numThreads,
      long maxMemoryBytes, int flags, int maxBatch);

  /** The int descriptor inside a FileDescriptor (field "descriptor" on Android, "fd" on desktop JDKs). */
  static native int descriptorOf(FileDescriptor fd);

  static native void modelClose(long model);

  /** vocab_size, bos_id, eos_id, pad_id, depth, width. */
  static native int[] modelInfo(long model);

  /** griffin_model_info.weights_huge_page_bytes. */
  static native long modelWeightsHugePageBytes(long model);

  /** griffin_model_info.weights_repacked_bytes. */
  static native long modelWeightsRepackedBytes(long model);

  /** griffin_model_kernels, UTF-8. */
  static native byte[] modelKernels(long model);

  static native long[] modelMemoryPlan(long model, int prefillChunk, int maxContext, long seed,
      int historySize, int kvDtype, long maxMemoryBytes);

  static native int[] tokenize(long model, byte[] text, boolean addBos);

  static native byte[] detokenize(long model, int[] tokens);

  static native long sessionCreate(long model, int prefillChunk, int maxContext, long seed,
      int historySize, int kvDtype, long maxMemoryBytes);

  static native void sessionDestroy(long session);

  static native void sessionReset(long session);

  static native long sessionPosition(long session);

  static native void sessionPrefill(long session, int[] tokens);

  /** Feeds one token and returns a copy of the logits that follow it. */
  static native float[] sessionDecode(long session, int token);

  static native float[] sessionLogits(long session);

  /** griffin_batch_decode: sessions[i] (handles) takes tokens[i]. */
  static native void batchDecode(long[] sessions, int[] tokens);

  /**
   * Runs griffin_session_generate, calling sink.piece(byte[]) for each non-empty piece.
   *
   * @return stop reason, prompt tokens, generated tokens, prefill seconds, decode seconds
   */
  static native double[] sessionGenerate(long session, byte[] prompt, int maxTokens,
      float temperature, int topK, float topP, float minP, float repetitionPenalty,
      int repetitionWindow, byte[][] stopSequences, boolean reseed, long seed,
      GriffinSession.PieceSink sink);

  static native void sessionCancel(long session);

  static native byte[] sessionSave(long session);

  static native void sessionLoad(long session, byte[] state);

  static native long sessionFork(long session);
}
