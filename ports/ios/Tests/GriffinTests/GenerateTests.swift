// Generation through the Swift package: streaming against an independent greedy run, stop
// sequences, callback stop, cancel from another thread and by cancelling the consuming Task.
import Foundation
import XCTest

@testable import Griffin

final class GenerateTests: XCTestCase {
  func testStreamedPiecesConcatenateToTheGreedyReply() async throws {
    let model = try Fixtures.openModel()
    let reference = try Fixtures.greedyTokens(model, Fixtures.prompt, maxTokens: 40)
    let expected = try Fixtures.replyText(model, Fixtures.prompt, reference)
    XCTAssertGreaterThan(expected.count, 10)

    let session = try model.makeSession()
    var text = ""
    var pieces = 0
    for try await piece in session.generate(
      Fixtures.prompt, options: GenerateOptions(maxTokens: 40, temperature: 0))
    {
      XCTAssertFalse(piece.isEmpty)
      text += piece
      pieces += 1
    }
    XCTAssertEqual(text, expected)
    XCTAssertGreaterThan(pieces, 5)
    let result = try XCTUnwrap(session.lastResult)
    XCTAssertEqual(result.text, expected)
    XCTAssertEqual(Int(result.generatedTokens), reference.count)
    XCTAssertEqual(result.stopReason, reference.last == model.eosId ? .endOfSequence : .length)
    XCTAssertEqual(try session.position(), Int(result.promptTokens + result.generatedTokens))
  }

  func testBlockingGenerateGivesTheSameText() async throws {
    let model = try Fixtures.openModel()
    let options = GenerateOptions(maxTokens: 24)
    let streamed = try await Fixtures.collect(try model.makeSession().generate(Fixtures.prompt, options: options))
    var pieces: [String] = []
    let result = try model.makeSession().generate(Fixtures.prompt, options: options) { piece in
      pieces.append(piece)
      return true
    }
    XCTAssertEqual(pieces.joined(), streamed.joined())
    XCTAssertEqual(result.text, streamed.joined())
  }

  func testStopSequenceEndsTheReplyBeforeIt() throws {
    let model = try Fixtures.openModel()
    let full = try model.makeSession().generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 48)) { _ in true }.text
    let chars = Array(full)
    let from = chars.count / 2
    let stop = String(chars[from..<min(chars.count, from + 4)])
    let at = try XCTUnwrap(full.range(of: stop))
    let result = try model.makeSession().generate(
      Fixtures.prompt, options: GenerateOptions(maxTokens: 48, stopSequences: ["never 🙂", stop])
    ) { _ in true }
    XCTAssertEqual(result.stopReason, .stopSequence)
    XCTAssertEqual(result.text, String(full[..<at.lowerBound]))
  }

  func testEmojiAndCjkStopSequencesAreValidUtf8InC() throws {
    let session = try Fixtures.openModel().makeSession()
    let result = try session.generate(
      Fixtures.prompt, options: GenerateOptions(maxTokens: 8, stopSequences: ["🙂", "天地", "é🎉中"])
    ) { _ in true }
    XCTAssertEqual(result.stopReason, .length)
    XCTAssertEqual(result.generatedTokens, 8)
  }

  func testCallbackReturningFalseStops() throws {
    let session = try Fixtures.openModel().makeSession()
    var calls = 0
    let result = try session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 64)) { _ in
      calls += 1
      return calls < 3
    }
    XCTAssertEqual(result.stopReason, .callback)
    XCTAssertEqual(calls, 3)
  }

  func testCancelFromAnotherThread() throws {
    let session = try Fixtures.openModel().makeSession()
    let generating = DispatchSemaphore(value: 0)
    let cancelled = DispatchSemaphore(value: 0)
    var first = true
    DispatchQueue.global().async {
      generating.wait()
      session.cancel()
      cancelled.signal()
    }
    let result = try session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 5000)) { _ in
      if first {
        first = false
        generating.signal()
        _ = cancelled.wait(timeout: .now() + 30)  // the cancel lands mid-generation
      }
      return true
    }
    XCTAssertEqual(result.stopReason, .cancelled)
    XCTAssertLessThan(result.generatedTokens, 20)
    // Usable afterwards; a cancel while nothing runs is forgotten.
    session.cancel()
    let next = try session.generate(" and", options: GenerateOptions(maxTokens: 3)) { _ in true }
    XCTAssertEqual(next.stopReason, .length)
    XCTAssertEqual(next.generatedTokens, 3)
  }

  func testCancellingTheConsumingTaskCancelsGeneration() async throws {
    let session = try Fixtures.openModel().makeSession()
    let firstPiece = AsyncStream<Void>.makeStream()
    let task = Task {
      var count = 0
      for try await _ in session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 100_000)) {
        count += 1
        if count == 1 { firstPiece.continuation.yield() }
      }
      return count
    }
    for await _ in firstPiece.stream { break }
    task.cancel()
    let consumed = try await task.value
    XCTAssertGreaterThanOrEqual(consumed, 1)
    // position() takes the session's lock, so it waits for the generating thread to stop.
    let position = try session.position()
    let result = try XCTUnwrap(session.lastResult)
    XCTAssertEqual(result.stopReason, .cancelled)
    XCTAssertLessThan(result.generatedTokens, 100_000)
    XCTAssertEqual(position, Int(result.promptTokens + result.generatedTokens))
  }

  func testBreakingOutOfTheLoopCancelsGeneration() async throws {
    let session = try Fixtures.openModel().makeSession()
    for try await _ in session.generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 100_000)) {
      break
    }
    let position = try session.position()  // waits for the generating thread
    let result = try XCTUnwrap(session.lastResult)
    XCTAssertEqual(result.stopReason, .cancelled)
    XCTAssertLessThan(result.generatedTokens, 100_000)
    XCTAssertEqual(position, Int(result.promptTokens + result.generatedTokens))
  }

  func testSessionSeedGivesReproducibleSamples() throws {
    let model = try Fixtures.openModel()
    let options = GriffinSession.Options(seed: 1234)
    let sampling = GenerateOptions(maxTokens: 24, temperature: 1)
    let a = try model.makeSession(options: options).generate(Fixtures.prompt, options: sampling) { _ in true }
    let b = try model.makeSession(options: options).generate(Fixtures.prompt, options: sampling) { _ in true }
    XCTAssertEqual(a.text, b.text)
  }

  func testPerCallSeedEqualsASessionCreatedWithThatSeed() throws {
    let model = try Fixtures.openModel()
    let sampling = GenerateOptions(maxTokens: 24, temperature: 1)
    let seeded = try model.makeSession(options: GriffinSession.Options(seed: 3))
    let expected = try seeded.generate(Fixtures.prompt, options: sampling) { _ in true }
    var reseeding = sampling
    reseeding.seed = 3
    let other = try model.makeSession(options: GriffinSession.Options(seed: 99))
    let reseeded = try other.generate(Fixtures.prompt, options: reseeding) { _ in true }
    XCTAssertEqual(expected.text, reseeded.text)
    let unseeded = try model.makeSession(options: GriffinSession.Options(seed: 99))
      .generate(Fixtures.prompt, options: sampling) { _ in true }
    XCTAssertNotEqual(expected.text, unseeded.text)
  }
}
