// A model opened from a .griffin file or a region of an open file; its memory plan and tokenizer.
import CGriffin
import Foundation

/// An open model: immutable, shared by its sessions (each keeps it alive), closed on deinit.
public final class GriffinModel: @unchecked Sendable {
  /// griffin_model_options; the defaults are the C API's.
  public struct Options: Sendable {
    /// Threads for matrix products; 0 = one per core.
    public var numThreads: Int32
    /// Refuse to load when the planned bytes exceed this; 0 = no limit.
    public var maxMemoryBytes: UInt64
    /// Debugging: run the portable scalar kernels.
    public var forceScalarKernels: Bool
    /// int8 weights: quantize activations too (slightly less accurate; faster prefill only where
    /// the CPU has int8 dot products, see docs/quantization.md).
    public var int8Activations: Bool
    /// Read the file into private memory instead of mapping it: costs the file's size in RAM, but
    /// a file replaced or truncated while the model is open cannot crash the process.
    public var copyWeights: Bool
    /// Read every weight page into RAM at open, so the first tokens do not wait on storage. The
    /// OS may still evict the pages later under memory pressure (docs/memory.md).
    public var prefault: Bool
    /// Pin the weights in RAM (mlock) while the model is open. Where the memory-lock limit
    /// (RLIMIT_MEMLOCK) is below the weights' size the open throws `.outOfMemory` naming it.
    public var lockWeights: Bool
    /// Read the file into private memory in 2 MB pages (Linux transparent huge pages; other
    /// systems get an ordinary copy): faster decode where granted, the file's size in RAM.
    /// `GriffinModel.weightsHugePageBytes` says what was granted.
    public var hugePages: Bool
    /// After each prefill, decode or batch step of 2 ms or more, the matrix threads sleep instead
    /// of spinning for a while (tens of ms): for apps that run other heavy work between steps on
    /// few cores, such as a second model. Costs a wake-up at the start of each step.
    public var sleepBetweenSteps: Bool
    /// int4 weights, and int8 weights with `int8Activations`: one scale per token for the int8
    /// activations instead of one per 32 values. Faster prefill (and int8 batches) on CPUs with
    /// AVX-512 VNNI, slightly less accurate where a token's values differ widely in size
    /// (docs/quantization.md, "Activation scales").
    public var perTokenActivationScales: Bool
    /// int4 weights, and int8 weights with `int8Activations`: each 32 values' activation scale
    /// rounded up to a power of two, which AVX-512 VNNI prefill applies on the integer side: close
    /// to `perTokenActivationScales`' prefill speed, at most twice the default's rounding error per
    /// group (docs/quantization.md, "Activation scales"). Setting both makes the open throw
    /// `invalidArgument`.
    public var powerOfTwoActivationScales: Bool
    /// On a CPU with AVX-512 VNNI: copy the int4 matrices, and the int8 ones with
    /// `int8Activations`, at open into the blocks the kernel computes on, which it otherwise
    /// rebuilds for every prefill chunk: faster prefill, prefill logits bit for bit the default's,
    /// decode within float rounding of it. Costs those matrices' size in private memory
    /// (`GriffinModel.weightsRepackedBytes`); from a mapped file their pages are then given back.
    /// Elsewhere (other CPUs, bf16, int8 with float activations) nothing happens
    /// (docs/quantization.md, "Repacked weights").
    public var repackWeights: Bool
    /// The most sessions one `GriffinModel.batchDecode` call may advance; the model sets aside
    /// their activations and logits at open (about maxBatch × (vocabSize + 8 × width) floats, in
    /// `memoryPlan()`). 0 (default): no batched decode.
    public var maxBatch: Int32

    public init(
      numThreads: Int32 = 0, maxMemoryBytes: UInt64 = 0, forceScalarKernels: Bool = false,
      int8Activations: Bool = false, copyWeights: Bool = false, prefault: Bool = false,
      lockWeights: Bool = false, hugePages: Bool = false, sleepBetweenSteps: Bool = false,
      perTokenActivationScales: Bool = false, powerOfTwoActivationScales: Bool = false,
      repackWeights: Bool = false, maxBatch: Int32 = 0
    ) {
      self.numThreads = numThreads
      self.maxMemoryBytes = maxMemoryBytes
      self.forceScalarKernels = forceScalarKernels
      self.int8Activations = int8Activations
      self.copyWeights = copyWeights
      self.prefault = prefault
      self.lockWeights = lockWeights
      self.hugePages = hugePages
      self.sleepBetweenSteps = sleepBetweenSteps
      self.perTokenActivationScales = perTokenActivationScales
      self.powerOfTwoActivationScales = powerOfTwoActivationScales
      self.repackWeights = repackWeights
      self.maxBatch = maxBatch
    }

    var c: griffin_model_options {
      var options = griffin_model_default_options()
      options.num_threads = numThreads
      options.max_memory_bytes = maxMemoryBytes
      options.force_scalar_kernels = forceScalarKernels
      options.int8_activations = int8Activations
      options.copy_weights = copyWeights
      options.prefault = prefault
      options.lock_weights = lockWeights
      options.huge_pages = hugePages
      options.sleep_between_steps = sleepBetweenSteps
      options.repack_weights = repackWeights
      options.max_batch = maxBatch
      switch (perTokenActivationScales, powerOfTwoActivationScales) {
      case (true, true): options.activation_scale = -1  // refused by the open: invalidArgument
      case (true, false):
        options.activation_scale = Int32(GRIFFIN_ACTIVATION_SCALE_PER_TOKEN.rawValue)
      case (false, true):
        options.activation_scale = Int32(GRIFFIN_ACTIVATION_SCALE_POWER_OF_TWO.rawValue)
      case (false, false):
        options.activation_scale = Int32(GRIFFIN_ACTIVATION_SCALE_PER_GROUP.rawValue)
      }
      return options
    }
  }

  let handle: OpaquePointer
  /// Tokens of the vocabulary, and the special ids.
  public let vocabSize: Int32
  public let bosId: Int32
  public let eosId: Int32
  /// Bytes of the weights' private copy that the OS backed with 2 MB pages at open
  /// (`Options.hugePages`); 0 for a mapped file.
  public let weightsHugePageBytes: UInt64
  /// Bytes of int4 and int8 matrices copied at open into the kernel's blocks
  /// (`Options.repackWeights`); 0 when nothing was.
  public let weightsRepackedBytes: UInt64
  /// Which kernel variant each kernel family runs on this CPU, e.g. "qd8-qs4w-gemm avx512vnni":
  /// for logs and bug reports.
  public let kernels: String

  /// Opens and verifies a .griffin file.
  public convenience init(path: String, options: Options = Options()) throws {
    var c = options.c
    var model: OpaquePointer?
    try GriffinError.check(griffin_model_open(path, &c, &model))
    try self.init(handle: model!)
  }

  /// Opens a model stored at `offset` for `length` bytes (0 = to the end) inside the file open
  /// as `fileDescriptor`, e.g. a resource inside a larger bundle file. The descriptor is not
  /// closed and may be closed once this returns.
  public convenience init(
    fileDescriptor: Int32, offset: UInt64, length: UInt64, options: Options = Options()
  ) throws {
    var c = options.c
    var model: OpaquePointer?
    try GriffinError.check(griffin_model_open_fd(fileDescriptor, offset, length, &c, &model))
    try self.init(handle: model!)
  }

  private init(handle: OpaquePointer) throws {
    self.handle = handle
    var info = griffin_model_info()
    info.struct_size = MemoryLayout<griffin_model_info>.size
    let status = griffin_model_get_info(handle, &info)
    if status != GRIFFIN_OK {
      let error = GriffinError(
        status: GriffinError.Status(rawValue: UInt32(status.rawValue)) ?? .internalError,
        message: String(cString: griffin_last_error()))
      griffin_model_close(handle)
      throw error
    }
    vocabSize = info.vocab_size
    bosId = info.bos_id
    eosId = info.eos_id
    weightsHugePageBytes = info.weights_huge_page_bytes
    weightsRepackedBytes = info.weights_repacked_bytes
    var description: UnsafePointer<CChar>?
    kernels =
      griffin_model_kernels(handle, &description) == GRIFFIN_OK && description != nil
      ? String(cString: description!) : ""
  }

  deinit {
    griffin_model_close(handle)
  }

  /// A new session over this model.
  public func makeSession(options: GriffinSession.Options = GriffinSession.Options()) throws
    -> GriffinSession
  {
    var c = options.c
    var session: OpaquePointer?
    try GriffinError.check(griffin_session_create(handle, &c, nil, 0, &session))
    return GriffinSession(model: self, handle: session!)
  }

  /// Batched decode: feeds `tokens[i]` to `sessions[i]`, all sessions of this model, in one pass
  /// over the weights (a matrix-matrix product instead of one matrix-vector product per session):
  /// the paper's throughput claim, several sequences for about the memory traffic of one.
  /// Afterwards each session is as if `sessions[i].decode(tokens[i])` had run, and its `logits()`
  /// equal that call's within float rounding (the products sum in another order). The model must
  /// be opened with `Options.maxBatch` of at least `sessions.count`. A refused call
  /// (`.invalidArgument`: counts that differ, none, more than maxBatch, a session of another model
  /// or twice, a token outside the vocabulary) changes no session. Waits for calls running on the
  /// sessions; they are locked in a fixed order, so batches over shared sessions from several
  /// threads cannot deadlock.
  public func batchDecode(_ sessions: [GriffinSession], tokens: [Int32]) throws {
    guard sessions.count == tokens.count else {
      throw GriffinError(
        status: .invalidArgument,
        message: "\(sessions.count) sessions but \(tokens.count) tokens")
    }
    guard sessions.allSatisfy({ $0.model === self }) else {
      throw GriffinError(
        status: .invalidArgument, message: "a session of another model in the batch")
    }
    // Each session's lock once (NSLock is not reentrant: the C call refuses a repeated session),
    // in the order of their C handles.
    var seen = Set<ObjectIdentifier>()
    let ordered = sessions.filter { seen.insert(ObjectIdentifier($0)).inserted }
      .sorted { UInt(bitPattern: $0.handle) < UInt(bitPattern: $1.handle) }
    for session in ordered { session.lock.lock() }
    defer { for session in ordered.reversed() { session.lock.unlock() } }
    let handles: [OpaquePointer?] = sessions.map { $0.handle }
    try GriffinError.check(griffin_batch_decode(handles, tokens, sessions.count))
  }

  /// The memory of this model and of one session with `options`, before the session exists.
  public func memoryPlan(options: GriffinSession.Options = GriffinSession.Options()) throws
    -> MemoryPlan
  {
    var c = options.c
    var plan = griffin_memory_plan()
    plan.struct_size = MemoryLayout<griffin_memory_plan>.size
    try GriffinError.check(griffin_model_memory_plan(handle, &c, &plan))
    return MemoryPlan(plan)
  }

  /// Token ids of `text`, with BOS first when `addBos`.
  public func tokenize(_ text: String, addBos: Bool) throws -> [Int32] {
    var utf8 = Array(text.utf8)
    utf8.append(0)
    let length = utf8.count - 1
    return try utf8.withUnsafeBufferPointer { bytes in
      let chars = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
      var needed = 0
      var probe: Int32 = 0
      let first = griffin_tokenize(handle, chars, length, addBos, &probe, 0, &needed)
      if first != GRIFFIN_OK && first != GRIFFIN_ERR_OUT_OF_RANGE { try GriffinError.check(first) }
      var tokens = [Int32](repeating: 0, count: max(needed, 1))
      try GriffinError.check(griffin_tokenize(handle, chars, length, addBos, &tokens, needed, &needed))
      return Array(tokens.prefix(needed))
    }
  }

  /// The text of token ids (control tokens produce nothing).
  public func detokenize(_ tokens: [Int32]) throws -> String {
    var needed = 0
    var probe: CChar = 0
    let first = griffin_detokenize(handle, tokens, tokens.count, &probe, 0, &needed)
    if first != GRIFFIN_OK && first != GRIFFIN_ERR_OUT_OF_RANGE { try GriffinError.check(first) }
    var text = [CChar](repeating: 0, count: needed + 1)  // the capacity counts the NUL
    try GriffinError.check(griffin_detokenize(handle, tokens, tokens.count, &text, text.count, &needed))
    return String(decoding: text.prefix(needed).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The C library's version, e.g. "0.1.0".
  public static var version: String { String(cString: griffin_version()) }
}

/// griffin_memory_plan: bytes a model and one session use, known before the session exists.
public struct MemoryPlan: Sendable, Equatable {
  public let weightsMappedBytes: UInt64
  public let weightsPackedBytes: UInt64
  public let weightsPreparedBytes: UInt64
  /// The three weight figures together.
  public let modelBytes: UInt64
  public let rglruStateBytes: UInt64
  public let convStateBytes: UInt64
  public let kvCacheBytes: UInt64
  public let scratchBytes: UInt64
  public let logitsBytes: UInt64
  public let samplerBytes: UInt64
  public let historyBytes: UInt64
  /// The session's arena: every region above, aligned.
  public let sessionBytes: UInt64
  /// modelBytes + sessionBytes.
  public let totalBytes: UInt64
  public let weightsStreamedBytes: UInt64
  public let countersBytes: UInt64
  public let sessionUsedBytes: UInt64
  /// Size of `saveState()` for such a session.
  public let stateBytes: UInt64

  init(_ p: griffin_memory_plan) {
    weightsMappedBytes = p.weights_mapped_bytes
    weightsPackedBytes = p.weights_packed_bytes
    weightsPreparedBytes = p.weights_prepared_bytes
    modelBytes = p.model_bytes
    rglruStateBytes = p.rglru_state_bytes
    convStateBytes = p.conv_state_bytes
    kvCacheBytes = p.kv_cache_bytes
    scratchBytes = p.scratch_bytes
    logitsBytes = p.logits_bytes
    samplerBytes = p.sampler_bytes
    historyBytes = p.history_bytes
    sessionBytes = p.session_bytes
    totalBytes = p.total_bytes
    weightsStreamedBytes = p.weights_streamed_bytes
    countersBytes = p.counters_bytes
    sessionUsedBytes = p.session_used_bytes
    stateBytes = p.state_bytes
  }
}
