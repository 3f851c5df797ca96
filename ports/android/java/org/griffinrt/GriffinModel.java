// A model opened from a .griffin file or a region of an open file (an APK asset).
package org.griffinrt;

import java.io.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An open model: immutable and shareable by sessions on several threads. Close it after its
 * sessions (try-with-resources, Kotlin's {@code use}); closing a model closes any session of it
 * still open. {@code close()} may be called any number of times.
 */
public final class GriffinModel implements AutoCloseable {
  /** Options of griffin_model_open; defaults are the C API's. */
  public static final class Options {
    int numThreads = 0;
    long maxMemoryBytes = 0;
    boolean forceScalarKernels = false;
    boolean int8Activations = false;
    boolean copyWeights = false;
    boolean prefault = false;
    boolean lockWeights = false;
    boolean hugePages = false;
    boolean sleepBetweenSteps = false;
    boolean perTokenActivationScales = false;
    boolean powerOfTwoActivationScales = false;
    boolean repackWeights = false;
    int maxBatch = 0;

    /** Threads for matrix products; 0 = one per core. */
    public Options numThreads(int numThreads) {
      this.numThreads = numThreads;
      return this;
    }

    /** Refuse to load a model whose planned bytes exceed this; 0 = no limit. */
    public Options maxMemoryBytes(long maxMemoryBytes) {
      this.maxMemoryBytes = maxMemoryBytes;
      return this;
    }

    /** Debugging: run the portable scalar kernels instead of SIMD. */
    public Options forceScalarKernels(boolean forceScalarKernels) {
      this.forceScalarKernels = forceScalarKernels;
      return this;
    }

    /**
     * int8 weights: quantize activations to int8 on the fly too (slightly less accurate; faster
     * prefill only where the CPU has int8 dot products, see docs/quantization.md).
     */
    public Options int8Activations(boolean int8Activations) {
      this.int8Activations = int8Activations;
      return this;
    }

    /**
     * Read the file into private memory instead of mapping it: costs the file's size in RAM, but a
     * file replaced or truncated while the model is open cannot crash the process.
     */
    public Options copyWeights(boolean copyWeights) {
      this.copyWeights = copyWeights;
      return this;
    }

    /**
     * Read every weight page into RAM at open, so the first tokens do not wait on storage. The OS
     * may still evict the pages later under memory pressure (docs/memory.md).
     */
    public Options prefault(boolean prefault) {
      this.prefault = prefault;
      return this;
    }

    /**
     * Pin the weights in RAM (mlock) while the model is open, so decode never drops to storage
     * speed. Needs RLIMIT_MEMLOCK of at least the weights' size; otherwise the open throws
     * GriffinException with {@link GriffinStatus#OUT_OF_MEMORY} and a message naming the limit.
     */
    public Options lockWeights(boolean lockWeights) {
      this.lockWeights = lockWeights;
      return this;
    }

    /**
     * Read the file into private memory in 2 MB pages (Linux transparent huge pages), which
     * decodes faster where the kernel grants them; costs the file's size in RAM, like
     * {@link #copyWeights}. {@link GriffinModel#weightsHugePageBytes()} says what was granted.
     */
    public Options hugePages(boolean hugePages) {
      this.hugePages = hugePages;
      return this;
    }

    /**
     * After each prefill, decode or batch step of 2 ms or more, the matrix threads sleep instead
     * of spinning for a while (tens of ms): for apps that run other heavy work between steps on
     * few cores, such as a second model. Costs a wake-up at the start of each step.
     */
    public Options sleepBetweenSteps(boolean sleepBetweenSteps) {
      this.sleepBetweenSteps = sleepBetweenSteps;
      return this;
    }

    /**
     * int4 weights, and int8 weights with {@link #int8Activations}: one scale per token for the
     * int8 activations instead of one per 32 values. Faster prefill (and int8 batches) on CPUs
     * with AVX-512 VNNI, slightly less accurate where a token's values differ widely in size
     * (docs/quantization.md, "Activation scales").
     */
    public Options perTokenActivationScales(boolean perTokenActivationScales) {
      this.perTokenActivationScales = perTokenActivationScales;
      return this;
    }

    /**
     * int4 weights, and int8 weights with {@link #int8Activations}: each 32 values' activation
     * scale rounded up to a power of two, which AVX-512 VNNI prefill applies on the integer side:
     * close to {@link #perTokenActivationScales}' prefill speed, at most twice the default's
     * rounding error per group (docs/quantization.md, "Activation scales"). Setting both makes
     * {@link GriffinModel#open} fail with INVALID_ARGUMENT.
     */
    public Options powerOfTwoActivationScales(boolean powerOfTwoActivationScales) {
      this.powerOfTwoActivationScales = powerOfTwoActivationScales;
      return this;
    }

    /**
     * On a CPU with AVX-512 VNNI: copy the int4 matrices, and the int8 ones with
     * {@link #int8Activations}, at open into the blocks the kernel computes on, which it otherwise
     * rebuilds for every prefill chunk: faster prefill, prefill logits bit for bit the default's,
     * decode within float rounding of it. Costs those matrices' size in private memory
     * ({@link GriffinModel#weightsRepackedBytes()}); from a mapped file their pages are then given
     * back. Elsewhere (other CPUs, bf16, int8 with float activations) nothing happens
     * (docs/quantization.md, "Repacked weights").
     */
    public Options repackWeights(boolean repackWeights) {
      this.repackWeights = repackWeights;
      return this;
    }

    /**
     * The most sessions one {@link GriffinModel#batchDecode} call may advance; the model sets
     * aside their activations and logits at open (about maxBatch × (vocabSize + 8 × width)
     * floats, in {@link GriffinModel#memoryPlan()}). 0 (default): no batched decode.
     */
    public Options maxBatch(int maxBatch) {
      this.maxBatch = maxBatch;
      return this;
    }

    int flags() {
      return (forceScalarKernels ? GriffinNative.OPTION_SCALAR : 0)
          | (int8Activations ? GriffinNative.OPTION_INT8_ACTIVATIONS : 0)
          | (copyWeights ? GriffinNative.OPTION_COPY_WEIGHTS : 0)
          | (prefault ? GriffinNative.OPTION_PREFAULT : 0)
          | (lockWeights ? GriffinNative.OPTION_LOCK_WEIGHTS : 0)
          | (hugePages ? GriffinNative.OPTION_HUGE_PAGES : 0)
          | (sleepBetweenSteps ? GriffinNative.OPTION_SLEEP_BETWEEN_STEPS : 0)
          | (perTokenActivationScales ? GriffinNative.OPTION_PER_TOKEN_ACTIVATION_SCALES : 0)
          | (powerOfTwoActivationScales ? GriffinNative.OPTION_POWER_OF_TWO_ACTIVATION_SCALES : 0)
          | (repackWeights ? GriffinNative.OPTION_REPACK_WEIGHTS : 0);
    }
  }

  private final Object lock = new Object();
  private long handle; // griffin_model*, 0 once closed
  private final Set<GriffinSession> sessions = new LinkedHashSet<>();
  private final int[] info;

  private GriffinModel(long handle) {
    this.handle = handle;
    this.info = GriffinNative.modelInfo(handle);
  }

  /** Opens and verifies a .griffin file. */
  public static GriffinModel open(String path) {
    return open(path, new Options());
  }

  public static GriffinModel open(String path, Options options) {
    byte[] utf8 = Utf8.encodeNoNul(path, "model path");
    return new GriffinModel(
        GriffinNative.modelOpen(utf8, options.numThreads, options.maxMemoryBytes, options.flags(),
            options.maxBatch));
  }

  /**
   * Opens a model stored at {@code offset} for {@code length} bytes (0 = to the end) of the file
   * open as {@code fd}, e.g. an uncompressed APK asset from {@code AssetFileDescriptor}. The
   * descriptor is not closed and may be closed once this returns.
   */
  public static GriffinModel open(FileDescriptor fd, long offset, long length) {
    return open(fd, offset, length, new Options());
  }

  public static GriffinModel open(FileDescriptor fd, long offset, long length, Options options) {
    if (fd == null || !fd.valid()) {
      throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, "FileDescriptor is null or not valid");
    }
    return open(GriffinNative.descriptorOf(fd), offset, length, options);
  }

  /**
   * As {@link #open(FileDescriptor, long, long)} with a raw descriptor, e.g.
   * {@code assetFd.getParcelFileDescriptor().getFd()}: public API on every Android version.
   */
  public static GriffinModel open(int fd, long offset, long length) {
    return open(fd, offset, length, new Options());
  }

  public static GriffinModel open(int fd, long offset, long length, Options options) {
    return new GriffinModel(GriffinNative.modelOpenFd(fd, offset, length, options.numThreads,
        options.maxMemoryBytes, options.flags(), options.maxBatch));
  }

  /** A new session with default options. */
  public GriffinSession newSession() {
    return newSession(new GriffinSession.Options());
  }

  public GriffinSession newSession(GriffinSession.Options options) {
    synchronized (lock) {
      long session = GriffinNative.sessionCreate(handle(), options.prefillChunk, options.maxContext,
          options.seed, options.historySize, options.kvDtype.ordinal(), options.maxMemoryBytes);
      return register(session);
    }
  }

  /**
   * Batched decode: feeds {@code tokens[i]} to {@code sessions[i]}, all sessions of this model,
   * in one pass over the weights (a matrix-matrix product instead of one matrix-vector product
   * per session): the paper's throughput claim, several sequences for about the memory traffic
   * of one. Afterwards each session is as if {@code sessions[i].decode(tokens[i])} had run, and
   * its {@link GriffinSession#logits()} equal that call's within float rounding (the products
   * sum in another order). The model must be opened with {@link Options#maxBatch} of at least
   * {@code sessions.length}. Everything is checked before anything runs: a refused call
   * ({@link GriffinStatus#INVALID_ARGUMENT}: lengths that differ, none, more than maxBatch, a
   * session of another model or twice, a token outside the vocabulary) changes no session.
   * Waits for any call running on one of the sessions; the sessions are locked in a fixed order,
   * so batches over shared sessions from several threads cannot deadlock.
   */
  public void batchDecode(GriffinSession[] sessions, int[] tokens) {
    if (sessions == null || tokens == null) {
      throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, "sessions or tokens is null");
    }
    if (sessions.length != tokens.length) {
      throw new GriffinException(GriffinStatus.INVALID_ARGUMENT,
          sessions.length + " sessions but " + tokens.length + " tokens");
    }
    for (GriffinSession session : sessions) {
      if (session == null) {
        throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, "a session is null");
      }
      if (session.model() != this) {
        throw new GriffinException(
            GriffinStatus.INVALID_ARGUMENT, "a session of another model in the batch");
      }
    }
    GriffinSession[] ordered = sessions.clone();
    Arrays.sort(ordered, Comparator.comparingLong(session -> session.serial));
    lockedInTurn(ordered, 0, () -> {
      long[] handles = new long[sessions.length];
      for (int i = 0; i < sessions.length; i++) handles[i] = sessions[i].handleHeld();
      GriffinNative.batchDecode(handles, tokens);
    });
  }

  // Runs `body` holding the monitors of ordered[from..]: one nested synchronized per session.
  private static void lockedInTurn(GriffinSession[] ordered, int from, Runnable body) {
    if (from == ordered.length) {
      body.run();
      return;
    }
    synchronized (ordered[from]) {
      lockedInTurn(ordered, from + 1, body);
    }
  }

  /** Memory of this model and of one session with default options. */
  public MemoryPlan memoryPlan() {
    return memoryPlan(new GriffinSession.Options());
  }

  public MemoryPlan memoryPlan(GriffinSession.Options options) {
    synchronized (lock) {
      return new MemoryPlan(GriffinNative.modelMemoryPlan(handle(), options.prefillChunk,
          options.maxContext, options.seed, options.historySize, options.kvDtype.ordinal(),
          options.maxMemoryBytes));
    }
  }

  /** Token ids of {@code text}, with BOS first when {@code addBos}. */
  public int[] tokenize(String text, boolean addBos) {
    synchronized (lock) {
      return GriffinNative.tokenize(handle(), text.getBytes(StandardCharsets.UTF_8), addBos);
    }
  }

  /** The text of token ids (control tokens produce nothing). */
  public String detokenize(int[] tokens) {
    synchronized (lock) {
      return new String(GriffinNative.detokenize(handle(), tokens), StandardCharsets.UTF_8);
    }
  }

  public int vocabSize() {
    return info[0];
  }

  public int bosId() {
    return info[1];
  }

  public int eosId() {
    return info[2];
  }

  /**
   * Bytes of the weights' private copy that the OS backed with 2 MB pages at open
   * ({@link Options#hugePages}); 0 for a mapped file.
   */
  public long weightsHugePageBytes() {
    synchronized (lock) {
      return GriffinNative.modelWeightsHugePageBytes(handle());
    }
  }

  /**
   * Bytes of int4 and int8 matrices copied at open into the kernel's blocks
   * ({@link Options#repackWeights}); 0 when nothing was.
   */
  public long weightsRepackedBytes() {
    synchronized (lock) {
      return GriffinNative.modelWeightsRepackedBytes(handle());
    }
  }

  /**
   * Which kernel variant each kernel family runs on this CPU, e.g. "qd8-qs4w-gemm avx512vnni":
   * for logs and bug reports.
   */
  public String kernels() {
    synchronized (lock) {
      return new String(GriffinNative.modelKernels(handle()), StandardCharsets.UTF_8);
    }
  }

  /** The C library's version, e.g. "0.1.0". */
  public static String version() {
    return new String(GriffinNative.version(), StandardCharsets.UTF_8);
  }

  /** Closes the sessions still open, then the model. Idempotent. */
  @Override
  public void close() {
    while (true) {
      List<GriffinSession> open;
      synchronized (lock) {
        if (handle == 0) return;
        if (sessions.isEmpty()) {
          GriffinNative.modelClose(handle);
          handle = 0;
          return;
        }
        open = new ArrayList<>(sessions);
      }
      // Outside the lock: a session's close waits for its running generate to return.
      for (GriffinSession session : open) session.close();
    }
  }

  GriffinSession register(long sessionHandle) {
    synchronized (lock) {
      GriffinSession session = new GriffinSession(this, sessionHandle);
      sessions.add(session);
      return session;
    }
  }

  void unregister(GriffinSession session) {
    synchronized (lock) {
      sessions.remove(session);
    }
  }

  private long handle() {
    if (handle == 0) throw new IllegalStateException("GriffinModel is closed");
    return handle;
  }
}
