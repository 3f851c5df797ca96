// One sequence's state over a model: generation, snapshots, fork and cancel.
package org.griffinrt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session holds one sequence (recurrent states, attention caches, sampler). Use it from one
 * thread at a time; {@link #cancel()} alone may be called from any thread. {@code close()} is
 * idempotent and waits for a running generate (cancel it first to stop it quickly).
 */
public final class GriffinSession implements AutoCloseable {
  /** Element type of the attention K/V caches (griffin_dtype). */
  public enum KvDtype {
    F32,
    F16,
    BF16
  }

  /** Options of griffin_session_create; defaults are the C API's. */
  public static final class Options {
    int prefillChunk = 0;
    int maxContext = 0;
    long seed = 0;
    int historySize = 0;
    KvDtype kvDtype = KvDtype.F32;
    long maxMemoryBytes = 0;

    /** Tokens per prefill step; 0 = 64. */
    public Options prefillChunk(int prefillChunk) {
      this.prefillChunk = prefillChunk;
      return this;
    }

    /** Positions a global-attention layer can hold; 0 = 4096. */
    public Options maxContext(int maxContext) {
      this.maxContext = maxContext;
      return this;
    }

    /** Sampler seed: the same seed gives the same samples. */
    public Options seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Recent tokens kept for the repetition penalty; 0 = 256. */
    public Options historySize(int historySize) {
      this.historySize = historySize;
      return this;
    }

    public Options kvDtype(KvDtype kvDtype) {
      this.kvDtype = kvDtype;
      return this;
    }

    /** Refuse to create a session whose arena exceeds this; 0 = no limit. */
    public Options maxMemoryBytes(long maxMemoryBytes) {
      this.maxMemoryBytes = maxMemoryBytes;
      return this;
    }
  }

  /** Called from JNI with each piece's UTF-8 bytes; decodes them and feeds the listener. */
  static final class PieceSink {
    final StringBuilder text = new StringBuilder();
    private final TokenListener listener;

    PieceSink(TokenListener listener) {
      this.listener = listener;
    }

    boolean piece(byte[] utf8) {
      String piece = new String(utf8, StandardCharsets.UTF_8);
      text.append(piece);
      return listener == null || listener.onPiece(piece);
    }
  }

  private final GriffinModel model;
  // griffin_session*, 0 once closed. Guarded by handleLock (so cancel, which must not wait for a
  // running generate, never sees a freed session); other calls also hold the session's monitor.
  private long handle;
  private final Object handleLock = new Object();

  // Creation order: GriffinModel.batchDecode takes the sessions' monitors in this order, so two
  // batches over overlapping sessions cannot deadlock.
  private static final AtomicLong nextSerial = new AtomicLong();
  final long serial = nextSerial.getAndIncrement();

  GriffinSession(GriffinModel model, long handle) {
    this.model = model;
    this.handle = handle;
  }

  /** Generates a reply to {@code prompt} and returns it whole. */
  public GenerateResult generate(String prompt, GenerateOptions options) {
    return generate(prompt, options, null);
  }

  /**
   * Feeds {@code prompt} (BOS first on a fresh session; otherwise it continues the conversation)
   * and generates until a stop condition, streaming text to {@code listener} (may be null). An
   * empty prompt continues from the last token. An exception thrown by the listener stops
   * generation and is rethrown here.
   */
  public synchronized GenerateResult generate(String prompt, GenerateOptions options,
      TokenListener listener) {
    if (options == null) options = new GenerateOptions();
    byte[][] stops = new byte[options.stopSequences.length][];
    for (int i = 0; i < stops.length; i++) {
      stops[i] = Utf8.encodeNoNul(options.stopSequences[i], "stop sequence");
    }
    byte[] promptBytes = (prompt == null ? "" : prompt).getBytes(StandardCharsets.UTF_8);
    PieceSink sink = new PieceSink(listener);
    double[] r = GriffinNative.sessionGenerate(handle(), promptBytes, options.maxTokens,
        options.temperature, options.topK, options.topP, options.minP, options.repetitionPenalty,
        options.repetitionWindow, stops, options.seed != null,
        options.seed != null ? options.seed : 0L, sink);
    return new GenerateResult(sink.text.toString(), StopReason.fromCode((int) r[0]), (int) r[1],
        (int) r[2], r[3], r[4]);
  }

  /**
   * Asks a running generate to stop: it returns with {@link StopReason#CANCELLED} within one
   * prefill chunk or decode step. Safe from any thread. A cancel while nothing runs is forgotten
   * when the next generate starts. Does nothing on a closed session.
   */
  public void cancel() {
    synchronized (handleLock) {
      if (handle != 0) GriffinNative.sessionCancel(handle);
    }
  }

  /** The session's state (snapshot): restore it with {@link #loadState} here or in a session
   *  of the same model and options. */
  public synchronized byte[] saveState() {
    return GriffinNative.sessionSave(handle());
  }

  /** Restores a snapshot; a corrupt or foreign one fails (INVALID_ARGUMENT) and changes nothing. */
  public synchronized void loadState(byte[] state) {
    if (state == null) {
      throw new GriffinException(GriffinStatus.INVALID_ARGUMENT, "state is null");
    }
    GriffinNative.sessionLoad(handle(), state);
  }

  /** A new session with a copy of this one's state; both continue independently. */
  public synchronized GriffinSession fork() {
    return model.register(GriffinNative.sessionFork(handle()));
  }

  /** Back to position 0 with zeroed state; the sampler is reseeded. */
  public synchronized void reset() {
    GriffinNative.sessionReset(handle());
  }

  /** Tokens the session has consumed. */
  public synchronized long position() {
    return GriffinNative.sessionPosition(handle());
  }

  /** Feeds token ids (low level; generate does this for text). */
  public synchronized void prefill(int[] tokens) {
    GriffinNative.sessionPrefill(handle(), tokens);
  }

  /** Feeds one token and returns the logits that follow it (a copy, vocabSize floats). */
  public synchronized float[] decode(int token) {
    return GriffinNative.sessionDecode(handle(), token);
  }

  /** The logits after the last token fed (a copy). */
  public synchronized float[] logits() {
    return GriffinNative.sessionLogits(handle());
  }

  public GriffinModel model() {
    return model;
  }

  /** Frees the session. Idempotent; waits for a running generate to return. */
  @Override
  public void close() {
    cancel();
    synchronized (this) {
      long closing;
      synchronized (handleLock) {
        closing = handle;
        handle = 0;
      }
      if (closing == 0) return;
      GriffinNative.sessionDestroy(closing);
    }
    model.unregister(this);
  }

  /** The C handle, for a caller holding this session's monitor (GriffinModel.batchDecode). */
  long handleHeld() {
    return handle();
  }

  private long handle() {
    long h;
    synchronized (handleLock) {
      h = handle;
    }
    if (h == 0) throw new IllegalStateException("GriffinSession is closed");
    return h;
  }
}
