// Errors, loading and strings through the Swift package: statuses and C messages arrive intact,
// a model opens from a region of a file, and emoji and CJK survive the C boundary.
import Foundation
import XCTest

@testable import Griffin

final class LifecycleTests: XCTestCase {
  func testMissingFileIsNotFoundWithTheCMessage() {
    let path = "/nonexistent-dir/聖書-🙂.griffin"
    XCTAssertThrowsError(try GriffinModel(path: path)) { error in
      guard let error = error as? GriffinError else { return XCTFail("\(error)") }
      XCTAssertEqual(error.status, .notFound)
      XCTAssertTrue(error.message.contains(path), error.message)
    }
  }

  func testTwoActivationScalesAreRefused() throws {
    let both = GriffinModel.Options(perTokenActivationScales: true, powerOfTwoActivationScales: true)
    XCTAssertThrowsError(try GriffinModel(path: Fixtures.modelPath, options: both)) { error in
      XCTAssertEqual((error as? GriffinError)?.status, .invalidArgument)
      XCTAssertTrue((error as? GriffinError)?.message.contains("activation_scale") ?? false)
    }
  }

  func testBadOptionsCarryTheCMessage() throws {
    let session = try Fixtures.openModel().makeSession()
    XCTAssertThrowsError(try session.generate("x", options: GenerateOptions(maxTokens: -1)) { _ in true }) {
      error in
      XCTAssertEqual((error as? GriffinError)?.status, .invalidArgument)
      XCTAssertTrue((error as? GriffinError)?.message.contains("max_tokens") ?? false)
    }
    XCTAssertThrowsError(try session.decode(session.model.vocabSize)) { error in
      XCTAssertEqual((error as? GriffinError)?.status, .invalidArgument)
    }
  }

  func testStreamFinishesWithTheErrorForBadOptions() async throws {
    let session = try Fixtures.openModel().makeSession()
    do {
      _ = try await Fixtures.collect(session.generate("x", options: GenerateOptions(stopSequences: [""])))
      XCTFail("expected an error")
    } catch let error as GriffinError {
      XCTAssertEqual(error.status, .invalidArgument)
    }
  }

  func testEmojiAndCjkRoundTripThroughTheTokenizer() throws {
    let text = "In the beginning 🙂 天地 was the Word, 言葉 👩‍👩‍👧 é"
    let model = try Fixtures.openModel()
    let ids = try model.tokenize(text, addBos: false)
    XCTAssertGreaterThan(ids.count, 10)
    XCTAssertEqual(try model.detokenize(ids), text)
  }

  func testOpensFromAFileRegion() throws {
    let modelData = try Data(contentsOf: URL(fileURLWithPath: Fixtures.modelPath))
    let expected = try Fixtures.openModel().makeSession()
      .generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 12)) { _ in true }.text
    for offset in [4096, 100] {  // aligned: mapped in place; misaligned: read into a copy
      let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("griffin-region-\(offset)-\(UUID().uuidString).bin")
      defer { try? FileManager.default.removeItem(at: url) }
      try (Data(count: offset) + modelData + Data(count: 777)).write(to: url)
      let handle = try FileHandle(forReadingFrom: url)
      defer { try? handle.close() }
      let model = try GriffinModel(
        fileDescriptor: handle.fileDescriptor, offset: UInt64(offset), length: UInt64(modelData.count))
      let text = try model.makeSession()
        .generate(Fixtures.prompt, options: GenerateOptions(maxTokens: 12)) { _ in true }.text
      XCTAssertEqual(text, expected, "offset \(offset)")
    }
  }

  func testMemoryPlanAddsUp() throws {
    let model = try Fixtures.openModel()
    let plan = try model.memoryPlan()
    XCTAssertEqual(plan.weightsMappedBytes + plan.weightsPackedBytes + plan.weightsPreparedBytes, plan.modelBytes)
    XCTAssertEqual(plan.modelBytes + plan.sessionBytes, plan.totalBytes)
    XCTAssertEqual(UInt64(try model.makeSession().saveState().count), plan.stateBytes)
    let longer = try model.memoryPlan(options: GriffinSession.Options(historySize: 4096))
    XCTAssertGreaterThan(longer.historyBytes, plan.historyBytes)
  }

  func testHandlesAreFreedOnDeinit() throws {
    // Many models and sessions opened and dropped: each deinit frees its handle (a leak or a
    // double free would show under the sanitizers or as growing memory; here: no crash, and
    // the last one still works).
    for _ in 0..<20 {
      let model = try Fixtures.openModel()
      _ = try model.makeSession()
      _ = try model.makeSession().fork()
    }
    XCTAssertEqual(try Fixtures.openModel().makeSession().position(), 0)
  }
}
