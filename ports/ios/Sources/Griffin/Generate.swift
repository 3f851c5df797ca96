// Generation: griffin_session_generate as a blocking call with a piece callback, and as an
// AsyncThrowingStream whose consumer's Task cancellation cancels the C generation.
import CGriffin
import Foundation

/// Why a generation ended (griffin_stop_reason, value for value).
public enum StopReason: UInt32, Sendable {
  /// maxTokens generated.
  case length = 0
  /// EOS or the end-of-turn token.
  case endOfSequence = 1
  /// A stop sequence appeared (it is not part of the text).
  case stopSequence = 2
  /// The piece callback returned false.
  case callback = 3
  /// `cancel()`, or the consuming Task was cancelled.
  case cancelled = 4
}

/// Options of one generation; the defaults are the C API's (256 tokens, greedy).
public struct GenerateOptions: Sendable {
  /// Tokens to generate at most; 0 = 256.
  public var maxTokens: Int32
  /// 0 = greedy (argmax).
  public var temperature: Float
  /// Keep the k most likely tokens; 0 = off.
  public var topK: Int32
  /// Keep the smallest set with probability at least p; 1 = off.
  public var topP: Float
  /// Drop tokens below minP times the most likely one's probability; 0 = off.
  public var minP: Float
  /// Above 1 discourages recent tokens; 1 = off.
  public var repetitionPenalty: Float
  /// Recent tokens penalised; 0 = the session's history size.
  public var repetitionWindow: Int32
  /// Text that ends the reply when it appears (it is not emitted).
  public var stopSequences: [String]
  /// Restarts the sampler from this seed before the first sample (the same state, options and
  /// seed give the same reply); nil keeps the session's generator running.
  public var seed: UInt64?

  public init(
    maxTokens: Int32 = 0, temperature: Float = 0, topK: Int32 = 0, topP: Float = 1,
    minP: Float = 0, repetitionPenalty: Float = 1, repetitionWindow: Int32 = 0,
    stopSequences: [String] = [], seed: UInt64? = nil
  ) {
    self.maxTokens = maxTokens
    self.temperature = temperature
    self.topK = topK
    self.topP = topP
    self.minP = minP
    self.repetitionPenalty = repetitionPenalty
    self.repetitionWindow = repetitionWindow
    self.stopSequences = stopSequences
    self.seed = seed
  }
}

/// What one generation did.
public struct GenerateResult: Sendable, Equatable {
  /// Every piece, concatenated.
  public var text: String
  public var stopReason: StopReason
  /// Prompt tokens fed (BOS included on a fresh session).
  public var promptTokens: Int32
  /// Tokens sampled and fed (EOS included).
  public var generatedTokens: Int32
  public var prefillSeconds: Double
  public var decodeSeconds: Double
}

/// Set once by the stream's termination handler, read by the generating thread.
final class CancelFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var set = false

  func raise() {
    lock.lock()
    set = true
    lock.unlock()
  }

  var isRaised: Bool {
    lock.lock()
    defer { lock.unlock() }
    return set
  }
}

/// What the C callback reaches through its `user` pointer.
private final class PieceContext {
  let onPiece: (String) -> Bool
  var text = ""

  init(onPiece: @escaping (String) -> Bool) {
    self.onPiece = onPiece
  }
}

/// Pieces are whole UTF-8 characters; empty ones (held text, tokens without text) are skipped.
private let pieceCallback: griffin_piece_callback = { piece, length, _, user in
  if length == 0 { return 0 }
  let context = Unmanaged<PieceContext>.fromOpaque(user!).takeUnretainedValue()
  let text = String(decoding: UnsafeRawBufferPointer(start: piece, count: length), as: UTF8.self)
  context.text += text
  return context.onPiece(text) ? 0 : 1
}

extension GriffinSession {
  /// The result of the last generation that finished (for streams: after the stream ended).
  public var lastResult: GenerateResult? { locked { lastResultStorage } }

  /// Generates on the calling thread, passing each piece of text to `onPiece` (return false to
  /// stop). The prompt gets BOS on a fresh session; otherwise it continues the conversation.
  @discardableResult
  public func generate(
    _ prompt: String, options: GenerateOptions = GenerateOptions(),
    onPiece: (String) -> Bool
  ) throws -> GenerateResult {
    try withoutActuallyEscaping(onPiece) { onPiece in
      try run(prompt, options: options, cancelFlag: nil, onPiece: onPiece)
    }
  }

  /// Generates on a background thread and streams the pieces of text. Cancelling the consuming
  /// Task (or breaking out of the loop) cancels the generation through griffin_session_cancel;
  /// the session keeps the tokens fed so far. `lastResult` has the stop reason afterwards.
  public func generate(_ prompt: String, options: GenerateOptions = GenerateOptions())
    -> AsyncThrowingStream<String, Error>
  {
    AsyncThrowingStream { continuation in
      let flag = CancelFlag()
      continuation.onTermination = { [self] termination in
        if case .cancelled = termination {
          flag.raise()
          cancel()
        }
      }
      let thread = Thread { [self] in
        do {
          try run(prompt, options: options, cancelFlag: flag) { piece in
            continuation.yield(piece)
            return true
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      thread.name = "griffin.generate"
      thread.start()
    }
  }

  /// One generation under the session's lock. A raised `cancelFlag` stops it at the next piece
  /// (or before it starts), and such a stop reads as `.cancelled`.
  @discardableResult
  func run(
    _ prompt: String, options: GenerateOptions, cancelFlag: CancelFlag?,
    onPiece: @escaping (String) -> Bool
  ) throws -> GenerateResult {
    try locked {
      if let flag = cancelFlag, flag.isRaised {
        let result = GenerateResult(
          text: "", stopReason: .cancelled, promptTokens: 0, generatedTokens: 0,
          prefillSeconds: 0, decodeSeconds: 0)
        lastResultStorage = result
        return result
      }
      let context = PieceContext { piece in
        if let flag = cancelFlag, flag.isRaised { return false }
        return onPiece(piece)
      }
      var c = griffin_generate_default_options()
      c.max_tokens = options.maxTokens
      c.sampler.temperature = options.temperature
      c.sampler.top_k = options.topK
      c.sampler.top_p = options.topP
      c.sampler.min_p = options.minP
      c.sampler.repetition_penalty = options.repetitionPenalty
      c.sampler.repetition_window = options.repetitionWindow
      c.reseed = options.seed != nil
      c.seed = options.seed ?? 0
      var result = griffin_generate_result()
      result.struct_size = MemoryLayout<griffin_generate_result>.size

      let stops: [UnsafeMutablePointer<CChar>?] = options.stopSequences.map { strdup($0) }
      defer { stops.forEach { free($0) } }
      var promptBytes = Array(prompt.utf8)
      let promptLength = promptBytes.count
      promptBytes.append(0)
      let user = Unmanaged.passUnretained(context).toOpaque()
      let status: griffin_status = stops.map { UnsafePointer($0) }.withUnsafeBufferPointer {
        stopPointers in
        c.stop_sequences = stopPointers.baseAddress
        c.stop_sequence_count = stopPointers.count
        return promptBytes.withUnsafeBufferPointer { bytes in
          let chars = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
          return griffin_session_generate(
            handle, chars, promptLength, &c, pieceCallback, user, &result)
        }
      }
      withExtendedLifetime(context) {}
      try GriffinError.check(status)
      var reason = StopReason(rawValue: UInt32(result.stop_reason.rawValue)) ?? .length
      if reason == .callback, let flag = cancelFlag, flag.isRaised { reason = .cancelled }
      let done = GenerateResult(
        text: context.text, stopReason: reason, promptTokens: result.prompt_tokens,
        generatedTokens: result.generated_tokens, prefillSeconds: result.prefill_seconds,
        decodeSeconds: result.decode_seconds)
      lastResultStorage = done
      return done
    }
  }
}
