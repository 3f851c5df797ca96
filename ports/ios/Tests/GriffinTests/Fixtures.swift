// Shared by the Swift tests: the bundled model and a greedy reference that does not use
// griffin_session_generate (prefill, argmax in Swift, decode).
import Foundation
import XCTest

@testable import Griffin

enum Fixtures {
  static let prompt = "In the beginning"

  /// examples/models/kjv-griffin/kjv-griffin.griffin, or $GRIFFIN_MODEL.
  static var modelPath: String {
    if let path = ProcessInfo.processInfo.environment["GRIFFIN_MODEL"] { return path }
    return URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("examples/models/kjv-griffin/kjv-griffin.griffin").path
  }

  static func openModel() throws -> GriffinModel {
    try GriffinModel(path: modelPath)
  }

  static func greedyTokens(_ model: GriffinModel, _ prompt: String, maxTokens: Int) throws
    -> [Int32]
  {
    let session = try model.makeSession()
    try session.prefill(try model.tokenize(prompt, addBos: true))
    var logits = try session.logits()
    var tokens: [Int32] = []
    for _ in 0..<maxTokens {
      let best = Int32(argmax(logits))
      tokens.append(best)
      if best == model.eosId { break }
      logits = try session.decode(best)
    }
    return tokens
  }

  /// The text `tokens` add after `prompt`: prompt and reply detokenized together, prompt removed.
  static func replyText(_ model: GriffinModel, _ prompt: String, _ tokens: [Int32]) throws -> String {
    let promptIds = try model.tokenize(prompt, addBos: true)
    let whole = try model.detokenize(promptIds + tokens)
    let promptText = try model.detokenize(promptIds)
    XCTAssertTrue(whole.hasPrefix(promptText))
    return String(whole.dropFirst(promptText.count))
  }

  static func argmax(_ values: [Float]) -> Int {
    var best = 0
    for i in 1..<values.count where values[i] > values[best] { best = i }
    return best
  }

  static func collect(_ stream: AsyncThrowingStream<String, Error>) async throws -> [String] {
    var pieces: [String] = []
    for try await piece in stream { pieces.append(piece) }
    return pieces
  }
}
