// One sequence's state over a model: snapshots, fork, cancel and the low-level token calls.
// Generation lives in Generate.swift.
import CGriffin
import Foundation

/// A session: one sequence (recurrent states, attention caches, sampler). Its calls are
/// serialised by a lock, so it may be handed between threads and tasks; `cancel()` never waits.
/// It keeps its model alive and frees its C handle on deinit.
public final class GriffinSession: @unchecked Sendable {
  /// Element type of the attention K/V caches.
  public enum KVDtype: UInt32, Sendable {
    case f32 = 0
    case f16 = 1
    case bf16 = 2
  }

  /// griffin_session_options; the defaults are the C API's.
  public struct Options: Sendable {
    /// Tokens per prefill step; 0 = 64.
    public var prefillChunk: Int32
    /// Positions a global-attention layer can hold; 0 = 4096.
    public var maxContext: Int32
    /// Sampler seed: the same seed gives the same samples.
    public var seed: UInt64
    /// Recent tokens kept for the repetition penalty; 0 = 256.
    public var historySize: Int32
    public var kvDtype: KVDtype
    /// Refuse to create a session whose arena exceeds this; 0 = no limit.
    public var maxMemoryBytes: UInt64

    public init(
      prefillChunk: Int32 = 0, maxContext: Int32 = 0, seed: UInt64 = 0, historySize: Int32 = 0,
      kvDtype: KVDtype = .f32, maxMemoryBytes: UInt64 = 0
    ) {
      self.prefillChunk = prefillChunk
      self.maxContext = maxContext
      self.seed = seed
      self.historySize = historySize
      self.kvDtype = kvDtype
      self.maxMemoryBytes = maxMemoryBytes
    }

    var c: griffin_session_options {
      var options = griffin_session_default_options()
      options.prefill_chunk = prefillChunk
      options.max_context = maxContext
      options.seed = seed
      options.history_size = historySize
      options.kv_dtype = griffin_dtype(rawValue: kvDtype.rawValue)
      options.max_memory_bytes = maxMemoryBytes
      return options
    }
  }

  public let model: GriffinModel
  let handle: OpaquePointer
  /// Serialises every call but cancel (a session is used by one thread at a time).
  let lock = NSLock()
  var lastResultStorage: GenerateResult?

  init(model: GriffinModel, handle: OpaquePointer) {
    self.model = model
    self.handle = handle
  }

  deinit {
    griffin_session_destroy(handle)
  }

  func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// Asks a running generation to stop within one prefill chunk or decode step. Any thread.
  public func cancel() {
    _ = griffin_session_cancel(handle)
  }

  /// The session's state: restore it with `loadState` here or in a session of the same model
  /// file and options.
  public func saveState() throws -> Data {
    try locked {
      var size = 0
      try GriffinError.check(griffin_session_state_size(handle, &size))
      var data = Data(count: size)
      var written = 0
      try data.withUnsafeMutableBytes { buffer in
        try GriffinError.check(griffin_session_save(handle, buffer.baseAddress, size, &written))
      }
      return data.prefix(written)
    }
  }

  /// Restores a snapshot. A corrupt, truncated or foreign one throws `.invalidArgument` and
  /// leaves the session as it was.
  public func loadState(_ state: Data) throws {
    try locked {
      // Copied into a buffer of at least one byte, so empty data reaches the C checks as a
      // too-short snapshot rather than a NULL pointer.
      var bytes = [UInt8](state)
      let size = bytes.count
      if bytes.isEmpty { bytes.append(0) }
      try GriffinError.check(griffin_session_load(handle, bytes, size))
    }
  }

  /// A new session of the same model with a copy of this one's state; both go on independently.
  public func fork() throws -> GriffinSession {
    try locked {
      var copy: OpaquePointer?
      try GriffinError.check(griffin_session_fork(handle, &copy))
      return GriffinSession(model: model, handle: copy!)
    }
  }

  /// Back to position 0 with zeroed state; the sampler is reseeded.
  public func reset() throws {
    try locked { try GriffinError.check(griffin_session_reset(handle)) }
  }

  /// Tokens the session has consumed (waits for a running generation).
  public func position() throws -> Int {
    try locked {
      var position = 0
      try GriffinError.check(griffin_session_position(handle, &position))
      return position
    }
  }

  /// Feeds token ids (low level; `generate` does this for text).
  public func prefill(_ tokens: [Int32]) throws {
    try locked {
      try GriffinError.check(griffin_session_prefill(handle, tokens, tokens.count, nil, 0))
    }
  }

  /// Feeds one token and returns the logits that follow it.
  public func decode(_ token: Int32) throws -> [Float] {
    try locked {
      try GriffinError.check(griffin_session_decode(handle, token, nil))
      return try logitsLocked()
    }
  }

  /// The logits after the last token fed.
  public func logits() throws -> [Float] {
    try locked { try logitsLocked() }
  }

  private func logitsLocked() throws -> [Float] {
    var logits: UnsafePointer<Float>?
    var count = 0
    try GriffinError.check(griffin_session_logits(handle, &logits, &count))
    return Array(UnsafeBufferPointer(start: logits, count: count))
  }
}
