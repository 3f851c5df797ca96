// GriffinModel.batchDecode on the bundled model: each batched session's logits against a twin
// decoding alone, the refusals (which change no session), and batches over shared sessions from
// two threads at once, which must neither deadlock nor lose a step.
import Foundation
import XCTest

@testable import Griffin

final class BatchDecodeTests: XCTestCase {
  private static let maxBatch: Int32 = 3
  // The C tests' bound for a batched bf16 row against a lone decode, relative to the largest
  // logit (tests/unit/test_batch_decode.cpp): the products sum in another order.
  private static let tolerance: Float = 2e-4
  private static let prompts = ["In the beginning", "And God said", "The LORD is my shepherd"]

  private func openBatched() throws -> GriffinModel {
    try GriffinModel(
      path: Fixtures.modelPath, options: GriffinModel.Options(maxBatch: Self.maxBatch))
  }

  private func prefilled(_ model: GriffinModel, _ prompt: String) throws -> GriffinSession {
    let session = try model.makeSession()
    try session.prefill(try model.tokenize(prompt, addBos: true))
    return session
  }

  private func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    var worst: Float = 0
    var scale: Float = 1
    for (x, y) in zip(a, b) {
      worst = max(worst, abs(x - y))
      scale = max(scale, abs(y))
    }
    return worst / scale
  }

  private func expectInvalid(_ what: String, _ call: () throws -> Void) {
    XCTAssertThrowsError(try call(), what) { error in
      XCTAssertEqual((error as? GriffinError)?.status, .invalidArgument, "\(what): \(error)")
    }
  }

  func testBatchedSessionsMatchTwinsDecodingAlone() throws {
    let model = try openBatched()
    let batch = try Self.prompts.map { try prefilled(model, $0) }
    let alone = try Self.prompts.map { try prefilled(model, $0) }
    var worst: Float = 0
    for step in 0..<8 {
      // Batches of 3, 2 and 1 in turn; each session takes its twin's greedy token.
      let count = Self.prompts.count - step % Self.prompts.count
      var tokens: [Int32] = []
      for i in 0..<count {
        let token = Int32(Fixtures.argmax(try alone[i].logits()))
        tokens.append(token)
        _ = try alone[i].decode(token)
      }
      try model.batchDecode(Array(batch[0..<count]), tokens: tokens)
      for i in 0..<count {
        XCTAssertEqual(try batch[i].position(), try alone[i].position())
        worst = max(worst, relativeDifference(try batch[i].logits(), try alone[i].logits()))
      }
    }
    XCTAssertLessThanOrEqual(worst, Self.tolerance)
  }

  func testRefusedBatchesChangeNoSession() throws {
    let model = try openBatched()
    let a = try prefilled(model, Self.prompts[0])
    let b = try prefilled(model, Self.prompts[1])
    let unbatched = try GriffinModel(path: Fixtures.modelPath)
    let other = try prefilled(unbatched, Self.prompts[2])
    let (positionA, positionB) = (try a.position(), try b.position())
    let logitsA = try a.logits()
    expectInvalid("counts differ") { try model.batchDecode([a, b], tokens: [5]) }
    expectInvalid("no session") { try model.batchDecode([], tokens: []) }
    expectInvalid("the same session twice") { try model.batchDecode([a, a], tokens: [5, 6]) }
    expectInvalid("more than maxBatch") {
      try model.batchDecode([a, b, a, b], tokens: [5, 6, 7, 8])
    }
    expectInvalid("a session of another model") {
      try model.batchDecode([a, other], tokens: [5, 6])
    }
    expectInvalid("a token outside the vocabulary") {
      try model.batchDecode([a, b], tokens: [5, model.vocabSize])
    }
    expectInvalid("a model opened without maxBatch") {
      try unbatched.batchDecode([other], tokens: [5])
    }
    expectInvalid("a negative maxBatch") {
      _ = try GriffinModel(path: Fixtures.modelPath, options: GriffinModel.Options(maxBatch: -1))
    }
    XCTAssertEqual(try a.position(), positionA)
    XCTAssertEqual(try b.position(), positionB)
    XCTAssertEqual(try a.logits(), logitsA)
  }

  func testBatchesOverSharedSessionsFromTwoThreadsTakeTurns() throws {
    let model = try openBatched()
    let a = try prefilled(model, Self.prompts[0])
    let b = try prefilled(model, Self.prompts[1])
    let (startA, startB) = (try a.position(), try b.position())
    let rounds = 20
    // Opposite orders: locking the sessions as given would deadlock sooner or later.
    let done = expectation(description: "the other thread's batches")
    let failure = Box()
    Thread {
      do {
        for _ in 0..<rounds { try model.batchDecode([b, a], tokens: [7, 9]) }
      } catch {
        failure.error = error
      }
      done.fulfill()
    }.start()
    for _ in 0..<rounds { try model.batchDecode([a, b], tokens: [11, 13]) }
    wait(for: [done], timeout: 60)
    XCTAssertNil(failure.error)
    XCTAssertEqual(try a.position(), startA + 2 * rounds)
    XCTAssertEqual(try b.position(), startB + 2 * rounds)
  }
}

private final class Box: @unchecked Sendable {
  var error: Error?
}
